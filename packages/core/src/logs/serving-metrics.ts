import { createLatencyHistogram, recordRequest, type LatencyHistogram } from '../serving-health/latency-histogram.ts';
import type { PredictionLogEntry, PredictionLogSink } from './entry.ts';

export interface ServingSeriesLabels {
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: string;
}

export interface ServingSeries {
  readonly labels: ServingSeriesLabels;
  /** Requests, errors and latencies since the process started (Prometheus counters). */
  readonly histogram: LatencyHistogram;
}

type SeriesKey = Pick<PredictionLogEntry, 'endpoint' | 'variant' | 'model' | 'version'>;
type ObservedEntry = SeriesKey & Pick<PredictionLogEntry, 'latencyMs' | 'status'>;

/** Series kept at most; a misbehaving caller inventing endpoint names cannot grow memory without bound. */
const MAX_SERIES = 2000;

/**
 * Request counts and latency histograms per endpoint, variant and model version, counted in this
 * process for every request — before sampling, which only thins what is logged.
 */
export class ServingMetrics {
  readonly #series = new Map<string, ServingSeries>();
  // Requests come in runs for one series; the last one is found without building its key.
  #last: (SeriesKey & { series: ServingSeries }) | undefined;

  observe(entry: ObservedEntry): void {
    const series = this.#seriesOf(entry);
    if (!series) return;
    const latency = Number.isFinite(entry.latencyMs) && entry.latencyMs >= 0 ? entry.latencyMs : 0;
    recordRequest(series.histogram, latency, entry.status === 'error');
  }

  #seriesOf(entry: SeriesKey): ServingSeries | undefined {
    const last = this.#last;
    if (last && last.endpoint === entry.endpoint && last.variant === entry.variant && last.model === entry.model && last.version === entry.version) {
      return last.series;
    }
    const id = `${entry.endpoint}\u0000${entry.variant}\u0000${entry.model}\u0000${entry.version}`;
    let series = this.#series.get(id);
    if (!series) {
      if (this.#series.size >= MAX_SERIES) return undefined;
      const labels = { endpoint: entry.endpoint, variant: entry.variant, model: entry.model, version: String(entry.version) };
      series = { labels, histogram: createLatencyHistogram() };
      this.#series.set(id, series);
    }
    this.#last = { endpoint: entry.endpoint, variant: entry.variant, model: entry.model, version: entry.version, series };
    return series;
  }

  series(): readonly ServingSeries[] {
    return [...this.#series.values()];
  }
}

/**
 * A sink that counts every served request in `metrics` before handing its entry to `sink`. A
 * shadow's entry is not a request anyone was served: counting it would inflate the endpoint's
 * totals (its agreement and latency are in the shadow windows instead).
 */
export function meteredSink(sink: PredictionLogSink, metrics: ServingMetrics): PredictionLogSink {
  return {
    log(entry) {
      try {
        if (entry.shadowOf === undefined) metrics.observe(entry);
      } catch {
        // Metrics are best effort; the log must still go out.
      }
      sink.log(entry);
    },
    flush: () => sink.flush(),
    close: () => sink.close(),
  };
}
