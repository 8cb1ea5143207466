// Builds a function's package the way `sst deploy` (SST 4.17.1) builds a `nodejs22.x` function:
// the settings of SST's pkg/runtime/node/build.go, with the defaults of its Function component
// (minify on, source maps kept out of the package), then the function's `copyFiles`.
// sst.config.ts builds the Lambda@Edge package with it (SST's Function component cannot make an
// edge function), and test/packaging.test.ts every package. Not exported from infra/index.ts:
// function code imports that, and must not bundle esbuild.
import { execFileSync } from 'node:child_process';
import { build, type Metafile } from 'esbuild';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** SST's banner for ESM functions, line for line; `__filename`, `__dirname` and `require` for bundled CommonJS. */
export const sstBannerLines = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
] as const;

/** SST's esbuild target per Lambda runtime. */
const targets = { 'nodejs22.x': 'es2023' } as const;

export interface NodePackageInput {
  /** `file.export` relative to `root`, as in infra/functions.ts; the file is `file.ts`. */
  handler: string;
  runtime: keyof typeof targets;
  /** The repository root: handlers and `copyFiles` sources (files or directories) are relative to it. */
  root: string;
  /** An empty or absent directory that becomes the package root. */
  out: string;
  define?: Record<string, string>;
  copyFiles?: ReadonlyArray<{ from: string; to: string }>;
}

export interface NodePackage {
  dir: string;
  /** The handler as Lambda is told it: `bundle.<export>`. */
  handler: string;
  metafile: Metafile;
}

/**
 * The git commit a build is made from, bundled in as `process.env.FLYWHEEL_GIT_SHA` so a deployed
 * function can name the code that runs (tracking runs record it): FLYWHEEL_GIT_SHA when the build
 * environment sets it (CI), else `git rev-parse HEAD` in `root`, else "unknown" (no git there).
 */
export function gitShaDefine(root: string): Record<string, string> {
  let sha = process.env.FLYWHEEL_GIT_SHA;
  if (!sha) {
    try {
      sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      sha = 'unknown';
    }
  }
  return { 'process.env.FLYWHEEL_GIT_SHA': JSON.stringify(sha) };
}

export async function buildNodePackage(input: NodePackageInput): Promise<NodePackage> {
  const [file, exported] = splitHandler(input.handler);
  await rm(input.out, { recursive: true, force: true });
  await mkdir(input.out, { recursive: true });
  const result = await build({
    entryPoints: [join(input.root, `${file}.ts`)],
    platform: 'node',
    format: 'esm',
    target: targets[input.runtime],
    bundle: true,
    splitting: false,
    outfile: join(input.out, 'bundle.mjs'),
    keepNames: true,
    mainFields: ['module', 'main'],
    external: ['sharp', 'pg-native'],
    minify: true,
    // SST generates linked source maps and uploads them apart; the package goes without them.
    sourcemap: 'linked',
    banner: { js: [...sstBannerLines, ''].join('\n') },
    define: { ...gitShaDefine(input.root), ...input.define },
    metafile: true,
    write: true,
    logLevel: 'silent',
  });
  await rm(join(input.out, 'bundle.mjs.map'), { force: true });
  for (const entry of input.copyFiles ?? []) {
    const target = join(input.out, entry.to);
    await mkdir(dirname(target), { recursive: true });
    await cp(join(input.root, entry.from), target, { recursive: true });
  }
  return { dir: input.out, handler: `bundle.${exported}`, metafile: result.metafile };
}

/** Bytes of every file in a package, unzipped. */
export async function packageBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler ${handler} is not file.export`);
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}
