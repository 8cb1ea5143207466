import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
/** Where each unit's production code lives: the workspaces under packages/, infra/, and the Lambda entries in functions/. */
const units: Record<string, string> = {
  functions: 'functions',
  infra: 'infra',
  ...Object.fromEntries(readdirSync(join(repo, 'packages')).map((name) => [name, join('packages', name, 'src')])),
};

function sources(dir: string): string[] {
  return readdirSync(join(repo, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !/\.test(-support)?\.ts$|\.d\.ts$/.test(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => relative(repo, join(entry.parentPath, entry.name)));
}

function unitOf(file: string): string | undefined {
  return Object.entries(units).find(([, dir]) => file === dir || file.startsWith(dir + sep))?.[0];
}

/** unit → the units its production code imports (by package name or by a relative path out of it). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [unit, dir] of Object.entries(units)) {
    const edges = new Set<string>();
    for (const file of sources(dir)) {
      for (const [, specifier] of readFileSync(join(repo, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const target = specifier.startsWith('@flywheel/') ? specifier.split('/')[1] : specifier.startsWith('.') ? unitOf(relative(repo, resolve(repo, file, '..', specifier))) : undefined;
        if (target && target !== unit) edges.add(target);
      }
    }
    graph.set(unit, edges);
  }
  return graph;
}

/** A cycle of units, if the graph has one. */
function cycleIn(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (unit: string): string[] | undefined => {
    if (state.get(unit) === 'done') return undefined;
    if (state.get(unit) === 'open') return [...path.slice(path.indexOf(unit)), unit];
    state.set(unit, 'open');
    path.push(unit);
    for (const next of graph.get(unit) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(unit, 'done');
    return undefined;
  };
  for (const unit of graph.keys()) {
    const cycle = visit(unit);
    if (cycle) return cycle;
  }
  return undefined;
}

// The drawing: functions → deploy → {api, train, aws}; api → {monitor, inference}; aws → monitor (the ports it implements) → core.
describe('the direction of dependencies between units', () => {
  const graph = importGraph();

  it('has no import circle between units, so a prediction’s path from functions/api.ts to the drift query passes each package once', () => {
    expect(cycleIn(graph)).toBeUndefined();
    // The path itself: the Lambda entry, its root, the app (whose drift route runs the monitor's query).
    expect([...graph.get('functions')!]).toContain('deploy');
    expect([...graph.get('deploy')!]).toEqual(expect.arrayContaining(['api', 'aws', 'monitor']));
    expect([...graph.get('api')!]).toContain('monitor');
  });

  it('keeps the wiring out of the adapters: packages/aws imports neither the API nor the roots', () => {
    expect([...graph.get('aws')!]).not.toContain('api');
    expect([...graph.get('aws')!]).not.toContain('deploy');
  });

  it('has the roots used only by what runs them: the Lambda entries and npm start', () => {
    const importers = [...graph].filter(([, edges]) => edges.has('deploy')).map(([unit]) => unit);
    expect(importers.sort()).toEqual(['functions', 'local']);
  });

  it('has no package reach into functions/: the Lambda entries are leaves that nothing imports', () => {
    const importers = [...graph].filter(([, edges]) => edges.has('functions')).map(([unit]) => unit);
    expect(importers).toEqual([]);
  });

  it('wires only in the roots: api, monitor, train and core import no adapter package', () => {
    for (const unit of ['api', 'monitor', 'train', 'core', 'inference']) expect([...graph.get(unit)!].filter((to) => to === 'aws' || to === 'deploy' || to === 'local')).toEqual([]);
  });
});
