// Runs a built function package the way Lambda does: one fresh Node process per function (a
// container, kept warm across invocations), loading `<package>/<file>.mjs` from the handler
// string, with only the environment it is given, started from an empty directory so nothing of
// the repository (node_modules, sources) can be found from where it runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

// Written outside the package: the runtime is Lambda's, not part of what is deployed. Response
// streaming (the \`awslambda\` global) is emulated as lambda-streaming.mjs says.
const runtimeSource = `
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
const [modulePath, exportName, streamingModule] = process.argv.slice(2);
const { installAwsLambdaGlobal, invokeHandler } = await import(streamingModule);
installAwsLambdaGlobal();
const results = createWriteStream(null, { fd: 3 });
const reply = (message) => results.write(JSON.stringify(message) + '\\n');
const describe = (error) => ({ name: error?.name, message: error?.message ?? String(error), stack: error?.stack });
let handler;
try {
  handler = (await import(modulePath))[exportName];
  if (typeof handler !== 'function') throw new Error(exportName + ' is not a function of ' + modulePath);
} catch (error) {
  handler = () => { throw error; };
}
for await (const line of createInterface({ input: process.stdin })) {
  const { event, context } = JSON.parse(line);
  const deadline = Date.now() + context.timeoutMs;
  const lambdaContext = { ...context, getRemainingTimeInMillis: () => deadline - Date.now(), done() {}, fail() {}, succeed() {} };
  try {
    const { result, respondedAt, returnedAt } = await invokeHandler(handler, event, lambdaContext);
    reply({ result, afterResponseMs: returnedAt - respondedAt });
  } catch (error) {
    reply({ error: describe(error) });
  }
}
`;

export interface PackagedFunctionOptions {
  /** The package root (Lambda's /var/task). */
  dir: string;
  /** As Lambda is told it: `bundle.handler`. */
  handler: string;
  /** Everything the process sees; nothing is inherited. */
  env: Record<string, string>;
  functionName: string;
  memoryMb: number;
  timeoutSeconds: number;
}

export interface PackagedFunction {
  /** The result, as the caller gets it (a streaming handler's response as its Function URL sends it). */
  invoke<T = unknown>(event: unknown): Promise<T>;
  /** The same, and how long the invocation went on after its response was complete (ms). */
  invokeTimed<T = unknown>(event: unknown): Promise<{ result: T; afterResponseMs: number }>;
  /** What the function wrote to stdout and stderr so far (its logs). */
  output(): string;
  stop(): Promise<void>;
}

export class InvocationError extends Error {
  override name = 'InvocationError';
}

export async function startPackagedFunction(options: PackagedFunctionOptions): Promise<PackagedFunction> {
  const runtimeDir = await mkdtemp(join(tmpdir(), 'flywheel-runtime-'));
  const emptyDir = await mkdtemp(join(tmpdir(), 'flywheel-cwd-'));
  const runtime = join(runtimeDir, 'runtime.mjs');
  await writeFile(runtime, runtimeSource);
  const dot = options.handler.lastIndexOf('.');
  const modulePath = pathToFileURL(join(options.dir, `${options.handler.slice(0, dot)}.mjs`)).href;
  const streamingModule = new URL('./lambda-streaming.mjs', import.meta.url).href;
  const child: ChildProcess = spawn(process.execPath, [runtime, modulePath, options.handler.slice(dot + 1), streamingModule], {
    cwd: emptyDir,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  type Reply = { result?: unknown; afterResponseMs?: number; error?: { name: string; message: string; stack?: string } };
  const waiting: Array<{ resolve: (value: Reply) => void; reject: (error: Error) => void }> = [];
  createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on('exit', (code, signal) => {
    for (const pending of waiting.splice(0)) pending.reject(new InvocationError(`${options.functionName} exited (${signal ?? code}):\n${output}`));
  });
  let invocations = 0;
  const invokeTimed = async <T>(event: unknown): Promise<{ result: T; afterResponseMs: number }> => {
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: options.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${options.functionName}`,
      memoryLimitInMB: String(options.memoryMb),
      awsRequestId: `00000000-0000-4000-8000-${String(++invocations).padStart(12, '0')}`,
      logGroupName: `/aws/lambda/${options.functionName}`,
      logStreamName: '2026/12/03/[$LATEST]0123456789abcdef',
      timeoutMs: options.timeoutSeconds * 1000,
    };
    const reply = await new Promise<Reply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin!.write(`${JSON.stringify({ event, context })}\n`);
    });
    if (reply.error) throw new InvocationError(`${options.functionName}: ${reply.error.name}: ${reply.error.message}\n${reply.error.stack ?? ''}\n--- output ---\n${output}`);
    return { result: reply.result as T, afterResponseMs: reply.afterResponseMs ?? 0 };
  };
  return {
    invoke: async <T>(event: unknown) => (await invokeTimed<T>(event)).result,
    invokeTimed,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin!.end();
        child.kill('SIGTERM');
        await exited;
      }
      await rm(runtimeDir, { recursive: true, force: true });
      await rm(emptyDir, { recursive: true, force: true });
    },
  };
}

/** What Lambda itself puts in every function's environment (not SST, not the function's own). */
export function lambdaRuntimeEnv(functionName: string, memoryMb: number, taskRoot: string, region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    LAMBDA_TASK_ROOT: taskRoot,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
  };
}
