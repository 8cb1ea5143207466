// vitest's global setup: the tests run on the Node the project pins (package.json `engines`), which
// `npm test` and `npx vitest` provide through the `node` package. Started another way (the machine's
// Node), vitest would run on that one without a word, so this stops it first.
import { readFileSync } from 'node:fs';

type Version = [number, number, number];

function parse(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = text.split('.').map(Number);
  return [major, minor, patch];
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `version` satisfies a range of space-separated comparators such as `>=22.12.0 <23`. */
export function satisfies(version: string, range: string): boolean {
  return range
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const match = /^(>=|<=|>|<|=)?v?([\d.]+)$/.exec(comparator);
      if (!match) throw new Error(`engines.node: cannot read the comparator "${comparator}"`);
      const order = compare(parse(version), parse(match[2]));
      return { '>=': order >= 0, '<=': order <= 0, '>': order > 0, '<': order < 0, '=': order === 0 }[match[1] ?? '='];
    });
}

export default function requirePinnedNode(): void {
  const range: string = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).engines.node;
  if (!satisfies(process.versions.node, range)) {
    throw new Error(
      `The tests run on Node ${range} (package.json engines), this is Node ${process.versions.node}: run them with \`npm test\` or \`npx vitest\`, which use the pinned \`node\` package.`,
    );
  }
}
