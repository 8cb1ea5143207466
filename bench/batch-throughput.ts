// Rows per second of a batch job against the same rows through the online route, on a small
// model (4 → 8 → 3 MLP) and a medium one (64 → 512 → 512 → 10 MLP, written with the ONNX
// writer). Everything runs in this process as under `npm start`: the embedded AWS, the API, and
// the batch function on the embedded queue (the monitor is left out, so its ingest of the logged
// rows does not compete). A job reads its rows as NDJSON and as Parquet (written by DuckDB,
// snappy, row groups of 2,048 rows); inputs past 8 MiB go up in parts. The online route is
// measured one row per request (16 in flight) and 1,000 rows per request (4 in flight). Figures
// per wall-second and per CPU-second of the process (the upload not counted), medians of ROUNDS
// rounds. Run: npx tsx bench/batch-throughput.ts   (ROWS=20000 ROUNDS=3 MODELS=small,medium)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalSystem } from '@flywheel/local';
import { floatTensor, tensorType, writeModel, type Initializer } from '@flywheel/inference';
import { uploadParts, type PartedUpload } from '../packages/cli/src/upload.ts';
import { localConsumers } from '../packages/local/src/consumers.ts';
import { seededRandom } from '../packages/train/src/random.ts';
import { parquetOf } from '@flywheel/testing/parquet';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const ROWS = Number(process.env.ROWS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const mib = (bytes: Uint8Array) => `${(bytes.length / 2 ** 20).toFixed(1)} MiB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A ReLU MLP with random weights: Gemm layers, softmax over the last. */
function mlp(widths: number[]): Uint8Array {
  const random = seededRandom(3);
  const nodes = [];
  const initializers: Initializer[] = [];
  let input = 'features';
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const [from, to] = [widths[layer], widths[layer + 1]];
    const scale = Math.sqrt(2 / from);
    initializers.push(
      floatTensor(
        `w${layer}`,
        [to, from],
        Array.from({ length: to * from }, () => random.normal() * scale),
      ),
    );
    initializers.push(
      floatTensor(
        `b${layer}`,
        [to],
        Array.from({ length: to }, () => 0.01),
      ),
    );
    const last = layer === widths.length - 2;
    nodes.push({ opType: 'Gemm', inputs: [input, `w${layer}`, `b${layer}`], outputs: [last ? 'logits' : `g${layer}`], attributes: { transB: { int: 1 } } });
    if (!last) {
      nodes.push({ opType: 'Relu', inputs: [`g${layer}`], outputs: [`h${layer}`] });
      input = `h${layer}`;
    }
  }
  nodes.push({ opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: { int: -1 } } });
  return writeModel({
    inputs: [{ name: 'features', type: tensorType('float32', ['batch', widths[0]]) }],
    outputs: [{ name: 'probabilities', type: tensorType('float32', ['batch', widths.at(-1)!]) }],
    nodes,
    initializers,
  });
}

const models = [
  { name: 'small', widths: [4, 8, 3], rows: ROWS },
  { name: 'medium', widths: [64, 512, 512, 10], rows: ROWS },
].filter((model) => !process.env.MODELS || process.env.MODELS.split(',').includes(model.name));

const dir = await tempDataDir('bench-batch');
const system = await startLocalSystem({ dataDir: dir.path, port: 0, pollWaitSeconds: 1, consumers: { batch: localConsumers.batch } });
const headers = { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' };
const api = (path: string, init: RequestInit = {}) => fetch(`${system.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

async function measure<T>(run: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Uploads an input (in parts past one), as `flywheel batch submit` does; the key and parts to submit. */
async function uploaded(format: string, bytes: Uint8Array): Promise<Record<string, unknown>> {
  const upload = (await (await api('/v1/batch-uploads', { method: 'POST', body: JSON.stringify({ format, sizeBytes: bytes.length }) })).json()) as {
    key: string;
    uploadUrl?: string;
    uploadId?: string;
  } & PartedUpload;
  if (upload.uploadId !== undefined) return { key: upload.key, uploadId: upload.uploadId, parts: await uploadParts(bytes, upload, () => undefined) };
  const put = await fetch(upload.uploadUrl!, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  return { key: upload.key };
}

/** A job over an uploaded input, timed from its submission to its success. */
async function batchJob(endpoint: string, format: string, bytes: Uint8Array, rows: number) {
  const input = await uploaded(format, bytes);
  return measure(async () => {
    const submitted = await api(`/v1/endpoints/${endpoint}/batch`, { method: 'POST', body: JSON.stringify({ input }) });
    await jobDone(((await submitted.json()) as { jobId: string }).jobId, rows);
  });
}

async function jobDone(jobId: string, rows: number) {
  for (;;) {
    const job = (await (await api(`/v1/batch-jobs/${jobId}`)).json()) as { status: string; rows: { done: number; failed: number } };
    if (job.status === 'succeeded') {
      if (job.rows.done !== rows || job.rows.failed !== 0) throw new Error(`job: ${JSON.stringify(job)}`);
      return;
    }
    if (job.status !== 'running' && job.status !== 'queued') throw new Error(`job: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function online(endpoint: string, records: Record<string, number>[], rowsPerRequest: number, inFlight: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < records.length) {
        const slice = records.slice(next, (next += rowsPerRequest));
        const response = await api(`/v1/endpoints/${endpoint}/predict`, { method: 'POST', body: JSON.stringify({ records: slice }) });
        if (response.status !== 200) throw new Error(`predict: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
}

const results: string[] = [];
try {
  for (const model of models) {
    const inputs = model.widths[0];
    const features = Array.from({ length: inputs }, (_, index) => ({ name: `f${index}`, kind: 'numerical', input: 'features', index }));
    const registered = await api(`/v1/models/${model.name}/versions`, {
      method: 'POST',
      body: mlp(model.widths) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ features }) },
    });
    const { version } = (await registered.json()) as { version: number };
    await api(`/v1/endpoints/${model.name}`, { method: 'PUT', body: JSON.stringify({ variants: [{ name: 'main', model: model.name, version, weight: 100 }] }) });
    const random = seededRandom(5);
    const records = Array.from({ length: model.rows }, () => Object.fromEntries(features.map((f) => [f.name, Math.round(random.normal() * 1000) / 1000])));
    const ndjson = new TextEncoder().encode(records.map((r) => JSON.stringify(r)).join('\n'));
    const ndjsonFile = join(dir.path, `${model.name}.ndjson`);
    await writeFile(ndjsonFile, ndjson);
    const parquet = await parquetOf(`SELECT ${features.map((f) => `${f.name}::DOUBLE AS ${f.name}`).join(', ')} FROM read_ndjson_auto('${ndjsonFile}')`);
    // Warm-up: the model loaded in the batch function's serving and in the API's.
    await online(model.name, records.slice(0, 200), 1, 4);
    const ways: Record<string, () => Promise<{ seconds: number; cpuSeconds: number }>> = {
      [`batch job, NDJSON (${mib(ndjson)}), 1,000-row chunks`]: () => batchJob(model.name, 'ndjson', ndjson, model.rows),
      [`batch job, Parquet (${mib(parquet)}), 1,000-row chunks`]: () => batchJob(model.name, 'parquet', parquet, model.rows),
      'online, 1 row per request, 16 in flight': () => measure(() => online(model.name, records, 1, 16)),
      'online, 1,000 rows per request, 4 in flight': () => measure(() => online(model.name, records, 1000, 4)),
    };
    const rounds: Record<string, Array<{ seconds: number; cpuSeconds: number }>> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [way, run] of Object.entries(ways)) (rounds[way] ??= []).push(await run());
    }
    for (const [way, measured] of Object.entries(rounds)) {
      const perSecond = median(measured.map((m) => model.rows / m.seconds));
      const perCpuSecond = median(measured.map((m) => model.rows / m.cpuSeconds));
      results.push(
        `| ${model.name} (${model.widths.join('→')}) | ${model.rows.toLocaleString('en')} | ${way} | ${Math.round(perSecond).toLocaleString('en')} | ${Math.round(perCpuSecond).toLocaleString('en')} |`,
      );
      console.log(results.at(-1));
    }
  }
} finally {
  await system.stop();
  await dir.remove();
}
console.log(`\nmedian of ${ROUNDS} rounds\n| model | rows | how | rows / s | rows / CPU-s |\n| --- | ---: | --- | ---: | ---: |\n${results.join('\n')}`);
