import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layOutSstPlatform, repoRoot, sstBinary, type SstPlatform } from '@flywheel/testing/sst-platform';
import { sstBannerLines } from './node-build.ts';

const configPath = join(repoRoot, 'sst.config.ts');

// Parsed once for every check: @pulumi/aws alone declares 60 MB of types.
const parsedFiles = new Map<string, ts.SourceFile | undefined>();

/** Type errors in sst.config.ts (and only there) against SST's platform types, with `source` in place of the file. */
function typeErrors(platform: SstPlatform, source = readFileSync(configPath, 'utf8')): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error('tsconfig.json cannot be read');
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, language, ...rest) => {
    if (fileName === configPath) return ts.createSourceFile(fileName, source, language);
    if (!parsedFiles.has(fileName)) parsedFiles.set(fileName, getSourceFile.call(host, fileName, language, ...rest));
    return parsedFiles.get(fileName);
  };
  const program = ts.createProgram([configPath, platform.configTypes], parsed.options, host);
  const file = program.getSourceFile(configPath)!;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
    const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `sst.config.ts:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('sst.config.ts against the installed SST platform types', () => {
  let platform: SstPlatform;
  beforeAll(async () => {
    platform = await layOutSstPlatform();
  }, 240_000);
  afterAll(() => platform?.remove());

  it('is laid out by the SST version the project pins', () => {
    const pinned = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).devDependencies.sst;
    expect(platform.version).toBe(pinned);
  });

  it('builds functions with the settings infra/node-build.ts copies: its banner, its Function defaults', () => {
    // The esbuild options are Go code in the binary (pkg/runtime/node/build.go); its banner is text there.
    const binary = readFileSync(sstBinary());
    for (const line of sstBannerLines) expect(binary.includes(line), line).toBe(true);
    const functionComponent = readFileSync(join(platform.dir, 'src', 'components', 'aws', 'function.ts'), 'utf8');
    // The `nodejs` options of FunctionArgs, which follow its `esbuild` option.
    const nodejsOptions = functionComponent.slice(functionComponent.indexOf('esbuild?: Input<EsbuildOptions>'));
    const defaultOf = (option: string) => nodejsOptions.match(new RegExp(`@default ([^\\n]+)\\n(?:\\s*\\*[^\\n]*\\n)*?\\s*${option}\\?:`))?.[1].trim();
    expect(defaultOf('minify')).toBe('`true`');
    expect(defaultOf('sourcemap')).toBe('`false`');
    expect(defaultOf('format')).toBe('`"esm"`');
  });

  it('type-checks', () => {
    expect(typeErrors(platform)).toEqual([]);
  }, 240_000);

  it('fails on a misspelt argument, of SST components and of provider resources', () => {
    const misspellings = [
      ['visibilityTimeout:', 'visibilityTimout:'], // sst.aws.Queue
      ['partialResponses: true', 'partialResponse: true'], // Queue.subscribe
      ['lambdaFunctionAssociations:', 'lambdaFunctionAssociation:'], // sst.aws.Cdn
      ['schedule: rateExpression', 'schedul: rateExpression'], // sst.aws.Cron
      ['publish: true', 'publsh: true'], // aws.lambda.Function
      ['treatMissingData:', 'treatMisingData:'], // aws.cloudwatch.MetricAlarm
    ] as const;
    let source = readFileSync(configPath, 'utf8');
    for (const [right, wrong] of misspellings) {
      expect(source).toContain(right);
      source = source.replace(right, wrong);
    }
    const errors = typeErrors(platform, source);
    const named = misspellings.map(([, wrong]) => wrong.split(':')[0]).filter((name) => !errors.some((error) => error.includes(`'${name}'`)));
    expect(named, errors.join('\n')).toEqual([]);
  }, 240_000);
});
