import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  buildReferenceProfile,
  outputColumnSpecs,
  outputColumns,
  parseReferenceProfile,
  type ColumnSpec,
  type ProfileOptions,
  type ReferenceProfile,
  type Row,
  type BaselineFeature,
  type BaselineStore,
} from '@flywheel/core';
import { bucket as bucketLayout } from '@flywheel/infra';

/** `baselines/<model>/<version>/profile.json` */
export function profileKey(model: string, version: number): string {
  return `${bucketLayout.prefixes.baselines}${model}/${version}/profile.json`;
}

/** Reference profiles of model versions, as JSON objects in S3. */
export class S3ReferenceProfileStore implements BaselineStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /**
   * Builds the reference profile of a version's baseline and stores it, replacing any earlier
   * one. `outputs` are the model's outputs on the same records, one per record (output name →
   * that row's slice); with them predictions are monitored for drift too. Throws
   * `InvalidBaselineError` when the baseline cannot be profiled.
   */
  async storeReferenceProfile(
    model: string,
    version: number,
    features: readonly BaselineFeature[],
    outputs: readonly Row[] | undefined,
    records: readonly Row[],
    options: ProfileOptions = {},
  ): Promise<ReferenceProfile> {
    const outputRecords = outputs?.map(outputColumns);
    const profile = buildReferenceProfile(
      {
        features: features.map(toColumnSpec),
        records,
        ...(outputRecords?.length ? { outputs: outputColumnSpecs(outputRecords), outputRecords } : {}),
      },
      options,
    );
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: profileKey(model, version), Body: JSON.stringify(profile), ContentType: 'application/json' }));
    return profile;
  }

  async get(model: string, version: number): Promise<ReferenceProfile | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: profileKey(model, version) }));
      return parseReferenceProfile(JSON.parse(await object.Body!.transformToString('utf-8')));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

function toColumnSpec(feature: BaselineFeature): ColumnSpec {
  return {
    name: feature.name,
    kind: feature.kind,
    ...(feature.categories ? { categories: feature.categories.map(String) } : {}),
  };
}
