import { DynamoBatchJobStore, S3BatchObjects, SqsBatchDispatcher, type AwsClients, type ResourceNames } from '@flywheel/aws';

/** Batch jobs' ports: job records in the operations table, their queue, their objects in the bucket. */
export function createBatchPorts(clients: AwsClients, names: ResourceNames) {
  return {
    jobs: new DynamoBatchJobStore(clients.dynamodb, names.tables.operations),
    objects: new S3BatchObjects(clients.s3, names.bucket),
    dispatcher: new SqsBatchDispatcher(clients.sqs, names.queues.batchChunks),
  };
}
