import { retrainRequestedEvent } from '../events/builders.ts';
import type { EventPublisher } from '../events/ports.ts';
import type { RetrainPolicy } from '../routing/endpoint-config.ts';
import type { TrainJobQueue } from './jobs.ts';
import { decideRetrain, type RetrainSignal } from './policy.ts';
import type { Run, RunStore, RunTrainer } from './run.ts';
import type { RetrainStateStore } from './state-store.ts';

export interface RetrainPorts {
  readonly states: RetrainStateStore;
  readonly runs: RunStore;
  readonly jobs: TrainJobQueue;
  readonly events: EventPublisher;
}

export interface SignalContext {
  /** The retraining policy of the signal's endpoint, if it has one. */
  readonly policy?: RetrainPolicy;
  /** The id a run started by this signal gets; derive it from the signal id so a redelivery finds it. */
  readonly runId: string;
  readonly reason?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

export type SignalOutcome =
  | { readonly action: 'start'; readonly run: Run; readonly resumed: boolean }
  | { readonly action: 'wait'; readonly reason: 'labels' | 'cooldown' }
  | {
      readonly action: 'ignore';
      readonly reason: 'not-a-trigger' | 'coalesced' | 'duplicate' | 'counted' | 'finished' | 'cooling-down';
      readonly activeRunId?: string;
    };

/** Conditional-write conflicts tolerated before giving up (and letting the queue redeliver). */
const MAX_ATTEMPTS = 10;

/** A short random wait after losing a conditional write, so racing writers spread out instead of colliding again. */
function contentionPause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
}

export class RetrainContentionError extends Error {
  override name = 'RetrainContentionError';
}

/**
 * Applies one signal to a model's retraining state and, when it starts a run, creates the run and
 * dispatches it: a job on the train-jobs queue, and for the built-in trainer a `retrain.requested`
 * event (for a webhook trainer the train function publishes it once the dataset is ready, and the
 * events function POSTs it to the webhook).
 *
 * Safe to repeat: the state write is conditional, the run is created only if absent, and a
 * signal delivered again either resumes the start it made (if its run is still active) or finds
 * its run already made. A crash anywhere leaves something a redelivery completes.
 */
export async function signalRetrain(ports: RetrainPorts, model: string, signal: RetrainSignal, context: SignalContext): Promise<SignalOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await ports.states.read(model);
    // This signal made its run before (the run is named after it) and is delivered again.
    if (signal.kind !== 'retry' && stored.state.active?.signalId !== signal.id && (await ports.runs.get(context.runId))) {
      return { action: 'ignore', reason: 'duplicate', activeRunId: context.runId };
    }
    const decision = decideRetrain(stored.state, signal, { policy: context.policy, runId: context.runId });
    if (decision.state !== stored.state && !(await ports.states.write(model, decision.state, stored.revision))) {
      await contentionPause(attempt);
      continue;
    }
    if (decision.action === 'wait') return { action: 'wait', reason: decision.reason };
    if (decision.action === 'ignore') return { action: 'ignore', reason: decision.reason, ...(decision.activeRunId ? { activeRunId: decision.activeRunId } : {}) };

    const trainer: RunTrainer = context.policy?.trainer === undefined || context.policy.trainer === 'builtin' ? 'builtin' : { webhook: context.policy.trainer.webhook };
    let run = await ports.runs.create({
      runId: decision.runId,
      model,
      ...(decision.trigger.endpoint ? { endpoint: decision.trigger.endpoint } : {}),
      status: 'queued',
      trigger: { ...decision.trigger, ...(context.reason ? { reason: context.reason } : {}) },
      trainer,
      attempts: 0,
      createdAt: signal.at,
      logs: [],
      ...(context.params ? { params: context.params } : {}),
    });
    if (signal.kind === 'retry' && run.status === 'failed') {
      run = (await ports.runs.update(run.runId, ['failed'], { status: 'queued', error: undefined, finishedAt: undefined })) ?? run;
    }
    if (run.status === 'queued') await dispatch(ports, run);
    return { action: 'start', run, resumed: decision.resumed };
  }
  throw new RetrainContentionError(`retraining state of ${model} kept changing under ${MAX_ATTEMPTS} attempts`);
}

async function dispatch(ports: RetrainPorts, run: Run): Promise<void> {
  // Every run goes to the train function: a built-in one to be trained, a webhook one to have its
  // dataset assembled and registered first — the train function then requests it, with the dataset.
  await ports.jobs.enqueue({ runId: run.runId });
  if (run.trainer !== 'builtin') return;
  const event = await retrainRequestedEvent(
    { model: run.model, runId: run.runId, ...(run.endpoint ? { endpoint: run.endpoint } : {}), trigger: run.trigger, trainer: run.trainer },
    // One request per attempt: a retried run is requested again.
    { time: run.createdAt, dedupeKey: `request/${run.attempts}` },
  );
  await ports.events.publish(event);
}

/** Tells the model's retraining state that a run ended, so the model may train again (after the cool-down). */
export async function finishRetrain(ports: Pick<RetrainPorts, 'states'>, run: Pick<Run, 'model' | 'runId' | 'attempts'>, at: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await ports.states.read(run.model);
    const decision = decideRetrain(stored.state, { kind: 'finished', id: `finished/${run.runId}/${run.attempts}`, runId: run.runId, at }, { runId: run.runId });
    if (decision.state === stored.state || (await ports.states.write(run.model, decision.state, stored.revision))) return;
    await contentionPause(attempt);
  }
  throw new RetrainContentionError(`retraining state of ${run.model} kept changing under ${MAX_ATTEMPTS} attempts`);
}
