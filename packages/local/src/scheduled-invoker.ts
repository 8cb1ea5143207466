import { localLambdaContext } from './lambda-context.ts';
import type { Context, ScheduledEvent } from 'aws-lambda';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export interface ScheduledInvokerOptions {
  handler: ScheduledHandler;
  /** Seconds between runs, as the function's schedule trigger declares it. */
  everySeconds: number;
  /** Name of the function, for the event, the Lambda context and log lines. */
  functionName: string;
  timeoutSeconds: number;
  region?: string;
  onError?: (error: unknown) => void;
}

/**
 * What an EventBridge schedule does, in-process: invokes the handler at every multiple of the
 * period on the wall clock (rate schedules fire at the start of their minute), with a
 * real-shaped Scheduled Event whose `time` is that instant. A run still going when the next
 * instant comes makes that instant skipped, not queued: the next run judges the newer time.
 */
export class ScheduledInvoker {
  readonly #options: Required<Omit<ScheduledInvokerOptions, 'onError'>> & Pick<ScheduledInvokerOptions, 'onError'>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: ScheduledInvokerOptions) {
    this.#options = { region: 'us-east-1', ...options };
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#arm();
  }

  /** Stops the clock and waits for the run in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #arm(): void {
    if (this.#stopped) return;
    const periodMs = this.#options.everySeconds * 1000;
    const next = Math.floor(Date.now() / periodMs) * periodMs + periodMs;
    this.#timer = setTimeout(() => {
      this.#arm();
      if (this.#running) return;
      this.#running = this.#invoke(new Date(next)).finally(() => (this.#running = undefined));
    }, next - Date.now());
  }

  async #invoke(at: Date): Promise<void> {
    const { functionName, region } = this.#options;
    const event: ScheduledEvent = {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      // EventBridge writes the scheduled time to the second.
      time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [`arn:aws:events:${region}:000000000000:rule/${functionName}`],
      detail: {},
    };
    try {
      await this.#options.handler(event, this.#context());
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #context(): Context {
    return localLambdaContext(this.#options.functionName, this.#options.region, this.#options.timeoutSeconds);
  }
}
