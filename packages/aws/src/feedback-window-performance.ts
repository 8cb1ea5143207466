import { mergePerformance, type PerformanceState, emptyWindowState, mergeWindowStates, type WindowKey, type WindowStore } from '@flywheel/core';

/** Conditional-write conflicts tolerated per window before the join fails (and is retried by its caller). */
const MAX_ATTEMPTS = 10;

/**
 * Adds joined rows' realized performance into the monitoring windows of their predictions, each
 * row once: the window's `applied` set (the one the monitor's merges use for batch ids) takes
 * the join's tokens, `<row id>#quality`, in the same conditional write as the counts, so a
 * holder that died after adding is not counted twice by the next. The join drops the tokens
 * once the rows are marked joined (see FeedbackJoiner).
 */
export class WindowPerformanceWriter {
  constructor(private readonly windows: Pick<WindowStore, 'get' | 'put' | 'forget'>) {}

  async addAll(key: WindowKey, entries: readonly { token: string; performance: PerformanceState }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.windows.get(key);
      const applied = stored?.applied ?? new Set<string>();
      const pending = entries.filter((entry) => !applied.has(entry.token));
      if (pending.length === 0) return;
      const performance = pending.reduce<PerformanceState | undefined>((sum, entry) => mergePerformance(sum, entry.performance), undefined);
      const state = mergeWindowStates(stored?.state ?? emptyWindowState(undefined), { ...emptyWindowState(undefined), performance });
      if (await this.windows.put(key, state, [...applied, ...pending.map((entry) => entry.token)], stored?.revision ?? 0)) return;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`window ${key.endpoint} ${key.start} changed under ${attempt} attempts to add joined performance`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }

  forget(key: WindowKey, tokens: readonly string[]): Promise<void> {
    return this.windows.forget(key, tokens);
  }
}
