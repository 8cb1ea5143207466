/** A message on the train-jobs queue: run this run. */
export interface TrainJob {
  readonly runId: string;
}

export interface TrainJobQueue {
  enqueue(job: TrainJob): Promise<void>;
}
