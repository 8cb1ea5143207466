import type { PredictionLogEntry, PredictionRow } from '@flywheel/core';
import type { RoutedRequest } from './route.ts';

export interface RunContext {
  requestId: string;
  unit?: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

/**
 * A served request as the prediction log takes it — or a shadow's run of one (`shadowOf`, the
 * variant that answered). Only the latency is taken on the request path; the fields the log reads
 * are derived when it reads them, after the response, and the rows are built on first read, so a
 * request the log's sampling skips never pays for them.
 */
export class ServedRequest implements PredictionLogEntry {
  readonly latencyMs: number;
  #time: string | undefined;
  #rows: PredictionRow[] | undefined;

  constructor(
    private readonly routed: Pick<RoutedRequest, 'endpoint' | 'variant' | 'version' | 'chosen'>,
    private readonly context: RunContext,
    readonly status: PredictionLogEntry['status'],
    private readonly buildRows: () => PredictionRow[],
    readonly error?: string,
    readonly shadowOf?: string,
  ) {
    // To the microsecond: finer digits are timer noise, and every logged byte is paid for.
    this.latencyMs = Math.round((performance.now() - context.startedAt) * 1000) / 1000;
  }

  get requestId(): string {
    return this.context.requestId;
  }

  get unit(): string | undefined {
    return this.context.unit;
  }

  get time(): string {
    return (this.#time ??= isoTime(this.context.receivedAt));
  }

  get endpoint(): string {
    return this.routed.endpoint.record.endpoint;
  }

  get variant(): string {
    return this.routed.variant;
  }

  get model(): string {
    return this.routed.version.model;
  }

  get version(): number {
    return this.routed.version.version;
  }

  get configVersion(): number {
    return this.routed.endpoint.record.configVersion;
  }

  get chosen(): PredictionLogEntry['chosen'] {
    return this.routed.chosen;
  }

  get logging(): PredictionLogEntry['logging'] {
    return this.routed.endpoint.record.config.logging;
  }

  get rows(): PredictionRow[] {
    return (this.#rows ??= this.buildRows());
  }
}

// Requests arriving in the same millisecond share one string.
let lastTimeMs = Number.NaN;
let lastTime = '';

function isoTime(ms: number): string {
  if (ms !== lastTimeMs) {
    lastTime = new Date(ms).toISOString();
    lastTimeMs = ms;
  }
  return lastTime;
}
