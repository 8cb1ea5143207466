import type { Task } from '../registry/metadata.ts';
import { MAX_CLASSES } from './class-counts.ts';

/** Probabilities this far from summing to 1 are not a distribution (logits, multi-label scores): no estimate from them. */
const SUM_TOLERANCE = 0.01;

/**
 * A classifier row's class probabilities, in class order: its task's output when that is a vector
 * of K probabilities summing to 1, or a binary classifier's lone positive-class probability p
 * (read as [1 − p, p]); when the task's output is the class label instead, the first other
 * output that is such a vector of as many probabilities as the task has classes (a label output
 * beside a probabilities output, as converted scikit-learn models have). Undefined for a
 * regression, or when no output holds probabilities.
 */
export function classProbabilities(task: Task, outputs: Readonly<Record<string, unknown>> | undefined): number[] | undefined {
  if (task.type === 'regression' || !outputs) return undefined;
  const own = probabilitiesIn(task, outputs[task.output], true);
  if (own || !task.classes) return own;
  for (const [name, value] of Object.entries(outputs)) {
    if (name === task.output) continue;
    const found = probabilitiesIn(task, value, false);
    if (found) return found;
  }
  return undefined;
}

function probabilitiesIn(task: Task, raw: unknown, lone: boolean): number[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const leaves = Array.isArray(raw) ? (raw.flat(Infinity) as unknown[]) : [raw];
  if (!leaves.every((p) => typeof p === 'number' && p >= 0 && p <= 1)) return undefined;
  const scores = leaves as number[];
  if (scores.length === 1) {
    // A lone integer is a class label, not a probability.
    if (!lone || task.type !== 'binary-classification' || Number.isInteger(scores[0])) return undefined;
    return [1 - scores[0], scores[0]];
  }
  if (scores.length > MAX_CLASSES || (task.classes && task.classes.length !== scores.length)) return undefined;
  const total = scores.reduce((a, b) => a + b, 0);
  return Math.abs(total - 1) <= SUM_TOLERANCE ? scores : undefined;
}

/** How many classes a classifier's rows are scored over: its classes, else 2 for a binary one. */
export function classCount(task: { readonly type: Task['type']; readonly classes?: readonly unknown[] }, probabilities?: readonly number[]): number | undefined {
  if (task.type === 'regression') return undefined;
  const count = task.classes?.length ?? probabilities?.length ?? (task.type === 'binary-classification' ? 2 : undefined);
  return count !== undefined && count >= 2 && count <= MAX_CLASSES ? count : undefined;
}
