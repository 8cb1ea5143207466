import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { featureCatalog } from '@flywheel/infra';
import { FeatureJoinError, pointInTimeJoinSql } from '@flywheel/core';
import { encodeSpine } from './feature-parquet.ts';
import type { FeatureJoinEngine, FeatureJoinRequest, JoinedRow } from './offline-feature-store.ts';

/** The Glue database and Athena workgroup sst.config.ts declares (infra/feature-catalog.ts). */
export interface FeatureCatalogNames {
  database: string;
  workgroup: string;
}

export interface AthenaPolling {
  /** First wait between GetQueryExecution calls; each next one is 1.5× longer, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A query not finished by then is stopped and the join fails. */
  timeoutMs: number;
}

const DEFAULT_POLLING: AthenaPolling = { initialDelayMs: 200, maxDelayMs: 2_000, timeoutMs: 20_000 };
/** GetQueryResults' most rows per page. */
const PAGE_ROWS = 1_000;

/** The catalog's names from the environment sst.config.ts sets for the functions that query it. */
export function featureCatalogNamesFromEnv(env: Record<string, string | undefined> = process.env): FeatureCatalogNames | undefined {
  const database = env[featureCatalog.envVars.database];
  const workgroup = env[featureCatalog.envVars.workgroup];
  return database && workgroup ? { database, workgroup } : undefined;
}

/**
 * Athena runs the point-in-time join in AWS: the spine is written as Parquet under the spines
 * table's partition for this join (by the same writer ingestion uses), core's SQL runs in the
 * workgroup (its result location and encryption enforced there), GetQueryExecution is polled with
 * a growing wait up to a deadline (then the query is stopped), and the answer is read in pages of
 * GetQueryResults. The spine's object is deleted afterwards (the results prefix expires anyway).
 */
export class AthenaFeatureEngine implements FeatureJoinEngine {
  private readonly polling: AthenaPolling;

  constructor(
    private readonly athena: AthenaClient,
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly catalog: FeatureCatalogNames,
    polling: Partial<AthenaPolling> = {},
  ) {
    this.polling = { ...DEFAULT_POLLING, ...polling };
  }

  async join(request: FeatureJoinRequest): Promise<JoinedRow[]> {
    const spineId = randomUUID();
    const spineKey = `${featureCatalog.spines.prefix}spine=${spineId}/spine.parquet`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: spineKey, Body: encodeSpine(request.spine), ContentType: 'application/vnd.apache.parquet' }));
    try {
      const sql = pointInTimeJoinSql({ rows: featureCatalog.table.name, spines: featureCatalog.spines.name }, { ...request, spine: spineId });
      const { QueryExecutionId } = await this.athena.send(
        new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: this.catalog.workgroup, QueryExecutionContext: { Database: this.catalog.database } }),
      );
      if (!QueryExecutionId) throw new FeatureJoinError('failed', 'Athena started no query');
      await this.finished(QueryExecutionId);
      return await this.results(QueryExecutionId, request.spine.length);
    } finally {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: spineKey })).catch(() => undefined);
    }
  }

  private async finished(queryId: string): Promise<void> {
    const deadline = Date.now() + this.polling.timeoutMs;
    let delay = this.polling.initialDelayMs;
    for (;;) {
      const { QueryExecution } = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }));
      const state: QueryExecutionState | undefined = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = QueryExecution?.Status?.AthenaError?.ErrorMessage ?? QueryExecution?.Status?.StateChangeReason ?? 'no reason given';
        throw new FeatureJoinError(state === 'FAILED' ? 'failed' : 'cancelled', `Athena query ${queryId}: ${reason}`);
      }
      if (Date.now() + delay > deadline) {
        // Nobody will read its answer: stop it rather than pay for its scan.
        await this.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })).catch(() => undefined);
        throw new FeatureJoinError('timed out', `Athena query ${queryId} was still ${state ?? 'unknown'} after ${this.polling.timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(this.polling.maxDelayMs, delay * 1.5);
    }
  }

  /** The answer rows by `row_id` (the header row of the first page skipped). */
  private async results(queryId: string, spineRows: number): Promise<JoinedRow[]> {
    const joined: JoinedRow[] = Array.from({ length: spineRows }, () => ({ featureEventTimeMs: null, featureValues: null }));
    let token: string | undefined;
    let header = true;
    do {
      const page = await this.athena.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: PAGE_ROWS, NextToken: token }));
      for (const row of page.ResultSet?.Rows ?? []) {
        if (header) {
          header = false;
          continue;
        }
        const [rowId, time, values] = (row.Data ?? []).map((datum) => datum.VarCharValue);
        const index = Number(rowId);
        if (!Number.isInteger(index) || index < 0 || index >= spineRows)
          throw new FeatureJoinError('failed', `Athena query ${queryId} answered a row_id the spine does not have: ${rowId}`);
        joined[index] = { featureEventTimeMs: time === undefined ? null : Number(time), featureValues: values ?? null };
      }
      token = page.NextToken;
    } while (token);
    return joined;
  }
}

export function createAthenaClient(region = process.env.AWS_REGION ?? 'us-east-1'): AthenaClient {
  return new AthenaClient({ region });
}
