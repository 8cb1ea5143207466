import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import type { AliasChange, ModelVersion } from '@flywheel/core';
import { ApiError, type ApiResponse } from '../client.ts';
import { UsageError } from '../errors.ts';
import type { ContextFor, CommandContext } from '../context.ts';
import { details, table } from '../output.ts';
import { byteStream, uploadParts, type PartedUpload } from '../upload.ts';
import { addGovernanceCommands } from './model-governance.ts';

/** `x FP32[-1,3]`; a tensor of unknown rank shows `[?]`. */
const tensors = (list: ModelVersion['signature']['inputs']) => list.map((t) => `${t.name} ${t.datatype}[${t.shape ? t.shape.join(',') : '?'}]`).join(' ');

/** Lambda refuses request bodies over 6 MB; larger artifacts go through a presigned S3 upload. */
const DIRECT_UPLOAD_LIMIT = 6 * 1024 * 1024;

export function modelsCommand(contextFor: ContextFor): Command {
  const models = new Command('models').description('the model registry: versions, aliases, signatures');
  models
    .command('list')
    .description('every model with its latest version')
    .action(async (_options, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ models: Array<{ model: string; latestVersion: number; updatedAt: string }> }>('/v1/models');
      out.result(body, () =>
        body.models.length
          ? table(
              ['model', 'latest', 'updated'],
              body.models.map((m) => [m.model, m.latestVersion, m.updatedAt]),
            )
          : 'no models registered',
      );
    });
  models
    .command('show')
    .description('the versions and aliases of a model')
    .argument('<model>')
    .action(async (model: string, _options, command: Command) => {
      const { client, out } = contextFor(command);
      const body = await client.get<{ versions: ModelVersion[]; aliases: AliasChange[] }>(`/v1/models/${encodeURIComponent(model)}`);
      out.result(body, () =>
        [
          table(
            ['version', 'sha256', 'size', 'inputs', 'features', 'created'],
            body.versions.map((v) => [v.version, v.sha256.slice(0, 12), v.sizeBytes, tensors(v.signature.inputs), (v.features ?? []).map((f) => f.name).join(', '), v.createdAt]),
          ),
          body.aliases.length
            ? table(
                ['alias', 'version'],
                body.aliases.map((a) => [a.alias, a.version]),
              )
            : 'no aliases',
        ].join('\n'),
      );
    });
  models
    .command('register')
    .description('register an ONNX file as the next version of a model (the same bytes again return the existing version)')
    .argument('<name>', 'model name')
    .argument('<file>', 'path of the .onnx file')
    .option('--features <file>', 'JSON file: the features list [{name, kind, input, index?, categories?}] or the whole metadata {features, task, description, …}')
    .option('--description <text>', 'a description of this version')
    .option('--upload', 'upload through a presigned URL (automatic above 6 MB)')
    .action(async (name: string, file: string, options: { features?: string; description?: string; upload?: boolean }, command: Command) => {
      const context = contextFor(command);
      const metadata = { ...(options.features ? await readMetadata(options.features) : {}), ...(options.description ? { description: options.description } : {}) };
      const size = (
        await stat(file).catch(() => {
          throw new UsageError(`cannot read ${file}`);
        })
      ).size;
      const registered =
        options.upload || size > DIRECT_UPLOAD_LIMIT ? await registerThroughUpload(context, name, file, size, metadata) : await registerDirect(context, name, file, size, metadata);
      context.out.result(registered.body, () =>
        details([
          ['model', registered.body.model],
          ['version', `${registered.body.version}${registered.status === 200 ? ' (already registered: same bytes)' : ''}`],
          ['sha256', registered.body.sha256],
          ['size', registered.body.sizeBytes],
          ['inputs', tensors(registered.body.signature.inputs)],
          ['outputs', tensors(registered.body.signature.outputs)],
        ]),
      );
    });
  addGovernanceCommands(models, contextFor);
  return models;
}

async function readMetadata(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--features ${path} is not a readable JSON file (${(error as Error).message})`);
  }
  if (Array.isArray(parsed)) return { features: parsed };
  if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  throw new UsageError(`--features ${path} must hold a features list or a metadata object`);
}

async function registerDirect({ client, out }: CommandContext, name: string, file: string, size: number, metadata: Record<string, unknown>): Promise<ApiResponse<ModelVersion>> {
  const progress = out.progress(size, `uploading ${file}`);
  try {
    return await client.request<ModelVersion>(`/v1/models/${encodeURIComponent(name)}/versions`, {
      method: 'POST',
      body: byteStream(await readFile(file), (sent) => progress.update(sent)),
      headers: { 'content-type': 'application/octet-stream', ...(Object.keys(metadata).length ? { 'flywheel-metadata': JSON.stringify(metadata) } : {}) },
    });
  } finally {
    progress.stop();
  }
}

/**
 * POST …/uploads for a presigned PUT (or, past one part, a URL per part of a multipart upload),
 * send the bytes there, then register the staged artifact.
 */
async function registerThroughUpload(
  { client, out }: CommandContext,
  name: string,
  file: string,
  size: number,
  metadata: Record<string, unknown>,
): Promise<ApiResponse<ModelVersion>> {
  const path = `/v1/models/${encodeURIComponent(name)}`;
  const upload = (
    await client.request<{ key: string; maxBytes: number; uploadUrl?: string; uploadId?: string } & Partial<PartedUpload>>(`${path}/uploads`, { json: { sizeBytes: size } })
  ).body;
  if (size > upload.maxBytes) throw new UsageError(`${file} is ${size} bytes; the server registers at most ${upload.maxBytes}`);
  const bytes = await readFile(file);
  const described = Object.keys(metadata).length ? { metadata } : {};
  if (upload.uploadId !== undefined) {
    const progress = out.progress(size, `uploading ${file} in ${upload.parts!.length} parts`);
    try {
      const parts = await uploadParts(bytes, upload as PartedUpload, (sent) => progress.update(sent)).catch((error: Error) => {
        throw new ApiError(`the presigned upload failed: ${error.message}`, undefined);
      });
      return await client.request<ModelVersion>(`${path}/versions`, { json: { artifactKey: upload.key, uploadId: upload.uploadId, parts, ...described } });
    } finally {
      progress.stop();
    }
  }
  // S3 wants the length up front, so the bytes go in one piece (a chunked stream would be refused).
  out.note(`uploading ${size} bytes through a presigned URL…`);
  const response = await fetch(upload.uploadUrl!, { method: 'PUT', body: bytes }).catch((error: Error) => {
    throw new ApiError(`the presigned upload failed: ${error.message}`, undefined);
  });
  if (!response.ok) throw new ApiError(`the presigned upload answered ${response.status}: ${(await response.text()).slice(0, 200)}`, response.status);
  return client.request<ModelVersion>(`${path}/versions`, { json: { artifactKey: upload.key, ...described } });
}
