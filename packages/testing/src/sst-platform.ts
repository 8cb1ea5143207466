// SST's platform sources (its components and their argument types), laid out by the installed
// SST binary itself. The binary embeds them and copies them to .sst/platform on `sst install`,
// before it fetches providers; here the fetch is refused (no PATH beyond node, a proxy that does
// not answer, no telemetry, a stand-in for the Pulumi CLI it would otherwise download), so
// nothing leaves the machine and what remains is exactly what `sst install` lays out. The
// providers' types are the project's @pulumi/aws and @pulumi/pulumi devDependencies, pinned to
// the versions SST 4.17.1's platform package.json asks for.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface SstPlatform {
  /** The directory `sst install` made, `<app>/.sst/platform`. */
  dir: string;
  version: string;
  /** The declaration file that puts `$config`, `sst`, `aws` and `$util` in scope, as `sst install` writes it. */
  configTypes: string;
  remove(): Promise<void>;
}

/** The installed SST CLI for this machine, as node_modules/sst/bin/sst.mjs finds it. */
export function sstBinary(): string {
  const require = createRequire(join(repoRoot, 'package.json'));
  return require.resolve(`sst-${process.platform}-${process.arch}/bin/sst`);
}

export async function layOutSstPlatform(): Promise<SstPlatform> {
  const app = await mkdtemp(join(tmpdir(), 'flywheel-sst-'));
  await writeFile(join(app, 'package.json'), '{"name":"sst-platform-probe","private":true}');
  await writeFile(join(app, 'sst.config.ts'), 'export default $config({ app() { return { name: "probe", home: "aws" }; }, async run() {} });\n');
  const bin = join(app, 'bin');
  await mkdir(bin);
  await symlink(process.execPath, join(bin, 'node'));
  const refused = 'http://127.0.0.1:9';
  await promisify(execFile)(sstBinary(), ['install'], {
    cwd: app,
    env: {
      HOME: app,
      PATH: bin,
      SST_STAGE: 'probe',
      SST_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      SST_PULUMI_PATH: '/bin/true',
      SST_NO_BUN: '1',
      SST_SKIP_DEPENDENCY_CHECK: '1',
      HTTPS_PROXY: refused,
      HTTP_PROXY: refused,
    },
    timeout: 60_000,
  }).catch(async (error: { stdout?: string; stderr?: string }) => {
    // Expected: it stops at fetching the aws provider. The platform must be there by then.
    if (!existsSync(join(app, '.sst', 'platform', 'src', 'components', 'aws', 'function.ts'))) {
      await rm(app, { recursive: true, force: true });
      throw new Error(`sst install laid out no platform sources:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  });
  const dir = join(app, '.sst', 'platform');
  // Modules the platform imports resolve from the project, as they would from .sst/platform/node_modules.
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const configTypes = join(dir, 'config.d.ts');
  await writeFile(configTypes, awsConfigTypes);
  return { dir, version: (await readFile(join(dir, 'version'), 'utf8')).trim(), configTypes, remove: () => rm(app, { recursive: true, force: true }) };
}

/**
 * What `sst install` writes to .sst/platform/config.d.ts once the aws provider is fetched (its
 * embedded template, rendered for `home: "aws"`), less the import of `../types.generated`, the
 * `Resource` typings it generates for linked resources, which sst.config.ts does not use.
 */
const awsConfigTypes = `import "./src/global.d.ts"
import { AppInput, App, Config } from "./src/config"
import * as _aws from "@pulumi/aws";

declare global {
  // @ts-expect-error
  export import aws = _aws
  interface Providers {
    providers?: {
      "aws"?:  (_aws.ProviderArgs & { package?: string, version?: string }) | string;
    }
  }
  export const $config: (
    input: Omit<Config, "app"> & {
      app(input: AppInput): Promise<Omit<App, "providers"> & Providers> | (Omit<App, "providers"> & Providers);
    },
  ) => Config;
}
`;
