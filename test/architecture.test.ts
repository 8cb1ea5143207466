// The package boundaries of packages/ARCHITECTURE.md, enforced: every import in the packages,
// infra/, functions/ and the test support is read and checked against packages/architecture.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import architecture from '../packages/architecture.json' with { type: 'json' };

const repoRoot = resolve(import.meta.dirname, '..');

interface Unit {
  path: string;
  mayImport: string[];
  runsAnywhere?: boolean;
  testOnly?: boolean;
  what: string;
}
interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const units = architecture.units as Record<string, Unit>;
// Typed: an empty list in the JSON would otherwise be never[].
const exceptions: { from: string; to: string; why: string }[] = architecture.knownExceptions;
const unitNames = Object.keys(units);

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

const manifests = new Map(unitNames.map((name) => [name, readJson<PackageJson>(join(repoRoot, units[name].path, 'package.json'))]));
const unitByPackageName = new Map([...manifests].filter(([, json]) => json?.name).map(([unit, json]) => [json!.name!, unit]));
const rootManifest = readJson<PackageJson>(join(repoRoot, 'package.json'))!;

/** The unit holding a repo-relative path: the one with the longest matching path. */
function unitAt(path: string): string | undefined {
  return unitNames.filter((name) => path === units[name].path || path.startsWith(`${units[name].path}/`)).sort((a, b) => units[b].path.length - units[a].path.length)[0];
}

function sourceFiles(dir: string): string[] {
  const absolute = join(repoRoot, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)))
    .filter((path) => !path.split('/').includes('node_modules') && unitAt(path) === unitAt(dir));
}

/** Test code may also use the test support (packages/testing); production code may not. */
function isTestCode(file: string, unit: string): boolean {
  return units[unit].testOnly === true || file.endsWith('.test.ts');
}

type Target = { kind: 'unit'; unit: string; byPath?: boolean } | { kind: 'npm'; name: string } | { kind: 'builtin' } | { kind: 'own' } | { kind: 'nowhere' };

interface ImportEdge {
  file: string;
  unit: string;
  test: boolean;
  specifier: string;
  target: Target;
}

function npmName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function classify(file: string, unit: string, specifier: string): Target {
  if (specifier.startsWith('.')) {
    const target = relative(repoRoot, resolve(repoRoot, dirname(file), specifier));
    const targetUnit = unitAt(target);
    if (targetUnit === unit) return { kind: 'own' };
    return targetUnit ? { kind: 'unit', unit: targetUnit, byPath: true } : { kind: 'nowhere' };
  }
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return { kind: 'builtin' };
  const name = npmName(specifier);
  const targetUnit = unitByPackageName.get(name);
  if (targetUnit === unit) return { kind: 'own' };
  return targetUnit ? { kind: 'unit', unit: targetUnit } : { kind: 'npm', name };
}

const imports: ImportEdge[] = unitNames.flatMap((unit) =>
  sourceFiles(units[unit].path).flatMap((file) =>
    ts.preProcessFile(readFileSync(join(repoRoot, file), 'utf8'), true, true).importedFiles.map(({ fileName: specifier }) => ({
      file,
      unit,
      test: isTestCode(file, unit),
      specifier,
      target: classify(file, unit, specifier),
    })),
  ),
);

const isException = (from: string, to: string) => exceptions.some((e) => e.from === from && e.to === to);
const mayImport = (from: string, to: string, test: boolean) => units[from].mayImport.includes(to) || isException(from, to) || (test && units[to].testOnly === true);

const describeImport = (edge: ImportEdge) => `${edge.file} imports '${edge.specifier}'`;

/** The cycles of a directed graph, each as the path that closes it. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) return found.push([...path.slice(at), node]);
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

/** packages/ARCHITECTURE.md's drawing, from the table: allowed edges solid, known exceptions dashed. */
function drawing(): string {
  const lines = ['flowchart TD'];
  for (const [name, unit] of Object.entries(units)) lines.push(`  ${name}["${name}<br/><small>${unit.what}</small>"]`);
  for (const [name, unit] of Object.entries(units)) for (const to of unit.mayImport) lines.push(`  ${name} --> ${to}`);
  for (const { from, to } of exceptions) lines.push(`  ${from} -. known exception .-> ${to}`);
  return lines.join('\n');
}

describe('package boundaries (packages/architecture.json)', () => {
  it('reads the imports of every package', () => {
    for (const unit of unitNames)
      expect(
        imports.some((edge) => edge.unit === unit),
        unit,
      ).toBe(true);
  });

  it('every import between packages is one the table allows (nothing imports functions/)', () => {
    const forbidden = imports.filter(({ unit, test, target }) => target.kind === 'unit' && !mayImport(unit, target.unit, test));
    expect(forbidden.map((edge) => `${describeImport(edge)}: ${edge.unit} may not import ${(edge.target as { unit: string }).unit}`)).toEqual([]);
  });

  it('another package is imported by its name, not by a path into its files', () => {
    const byPath = imports.filter(({ target }) => target.kind === 'unit' && target.byPath && manifests.get(target.unit)?.name);
    expect(byPath.map(describeImport)).toEqual([]);
  });

  it('no relative import leaves its package for a place that is no package', () => {
    expect(imports.filter(({ target }) => target.kind === 'nowhere').map(describeImport)).toEqual([]);
  });

  it('core and every package that runs anywhere import no Node built-in, AWS SDK or Lambda module', () => {
    const nodeOrAws = imports.filter(
      ({ unit, test, target }) =>
        units[unit].runsAnywhere && !test && (target.kind === 'builtin' || (target.kind === 'npm' && /^(@aws-sdk\/|@aws-lambda-powertools\/|aws-lambda$)/.test(target.name))),
    );
    expect(nodeOrAws.map(describeImport)).toEqual([]);
  });

  it('neither the table nor the imports between packages have a circle', () => {
    const table = new Map(unitNames.map((name) => [name, new Set(units[name].mayImport)]));
    expect(cycles(table)).toEqual([]);
    const actual = new Map<string, Set<string>>();
    for (const { unit, test, target } of imports) if (!test && target.kind === 'unit') actual.set(unit, (actual.get(unit) ?? new Set()).add(target.unit));
    expect(cycles(actual)).toEqual([]);
  });

  it('every known exception is still needed (remove it from the table once the import is gone)', () => {
    const unneeded = exceptions.filter(({ from, to }) => !imports.some(({ unit, target }) => unit === from && target.kind === 'unit' && target.unit === to));
    expect(unneeded).toEqual([]);
  });

  it('each workspace declares exactly the packages it imports, at one exact version across the repo', () => {
    const problems: string[] = [];
    const versions = new Map<string, string>(Object.entries({ ...rootManifest.dependencies, ...rootManifest.devDependencies }));
    for (const [unit, manifest] of manifests) {
      if (!manifest?.name) continue;
      const declared = { ...manifest.dependencies, ...manifest.devDependencies };
      const needed = new Set<string>();
      for (const { target } of imports.filter((edge) => edge.unit === unit)) {
        if (target.kind === 'npm') needed.add(target.name === 'aws-lambda' ? '@types/aws-lambda' : target.name);
        // An import of a unit that is no package (functions/) is the boundary check's to refuse.
        const workspace = target.kind === 'unit' ? manifests.get(target.unit)?.name : undefined;
        if (workspace) needed.add(workspace);
      }
      for (const name of needed) if (!(name in declared)) problems.push(`${manifest.name} imports ${name} but does not declare it`);
      for (const [name, version] of Object.entries(declared)) {
        const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length) : undefined;
        if (!needed.has(name) && !(typesFor && needed.has(typesFor))) problems.push(`${manifest.name} declares ${name} but imports nothing from it`);
        if (unitByPackageName.has(name)) {
          if (version !== '*') problems.push(`${manifest.name} asks for workspace ${name}@${version} (use "*")`);
          continue;
        }
        if (!/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(version)) problems.push(`${manifest.name} asks for ${name}@${version}, not an exact version`);
        const pinned = versions.get(name);
        if (pinned === undefined) versions.set(name, version);
        else if (pinned !== version) problems.push(`${manifest.name} asks for ${name}@${version}, elsewhere ${pinned}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('packages/ARCHITECTURE.md draws the table', () => {
    const doc = readFileSync(join(repoRoot, 'packages/ARCHITECTURE.md'), 'utf8');
    const drawn = doc.match(/```mermaid\n([\s\S]*?)\n```/)?.[1];
    expect(drawn, 'the mermaid block; its text is printed by drawing() in this file').toBe(drawing());
  });

  it('core type-checks without Node types or the DOM lib (packages/core/tsconfig.json)', () => {
    const configPath = join(repoRoot, 'packages/core/tsconfig.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!parsed) throw new Error(`${configPath} cannot be read`);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(repoRoot, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    expect(errors).toEqual([]);
  }, 120_000);
});
