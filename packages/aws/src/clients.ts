import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, errorTypeRegistries } from '@aws-sdk/client-sqs';
import { AwsJson1_0Protocol, JsonCodec } from '@aws-sdk/core/protocols';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsEndpoints {
  dynamodb: string;
  sqs: string;
  s3: string;
}

export interface AwsClientOptions {
  /** Defaults to AWS_REGION, then us-east-1. */
  region?: string;
  /** Set to talk to a local emulator instead of AWS. Defaults to {@link endpointsFromEnv}. */
  endpoints?: AwsEndpoints;
}

/**
 * Emulator endpoints from `FLYWHEEL_AWS_ENDPOINT_DYNAMODB`, `FLYWHEEL_AWS_ENDPOINT_SQS` and
 * `FLYWHEEL_AWS_ENDPOINT_S3`, so a function handler built exactly as in Lambda can run against
 * the local stack (DynamoDB and SQS/S3 listen on different ports there). All three or none.
 */
export function endpointsFromEnv(env: Record<string, string | undefined> = process.env): AwsEndpoints | undefined {
  const dynamodb = env.FLYWHEEL_AWS_ENDPOINT_DYNAMODB;
  const sqs = env.FLYWHEEL_AWS_ENDPOINT_SQS;
  const s3 = env.FLYWHEEL_AWS_ENDPOINT_S3;
  if (!dynamodb && !sqs && !s3) return undefined;
  if (!dynamodb || !sqs || !s3) {
    throw new Error('set all of FLYWHEEL_AWS_ENDPOINT_DYNAMODB, FLYWHEEL_AWS_ENDPOINT_SQS and FLYWHEEL_AWS_ENDPOINT_S3, or none');
  }
  return { dynamodb, sqs, s3 };
}

/** The environment that makes {@link endpointsFromEnv} return `endpoints`. */
export function endpointsToEnv(endpoints: AwsEndpoints): Record<string, string> {
  return {
    FLYWHEEL_AWS_ENDPOINT_DYNAMODB: endpoints.dynamodb,
    FLYWHEEL_AWS_ENDPOINT_SQS: endpoints.sqs,
    FLYWHEEL_AWS_ENDPOINT_S3: endpoints.s3,
  };
}

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
}

/**
 * SQS carries the prediction log: at load, megabytes of message bodies a second. The SDK's default
 * JSON codec escapes them a character at a time in JavaScript; its codec on `JSON.stringify` does
 * the same natively. Nor is the MD5 SQS echoes for each body recomputed: SigV4 already signs the
 * payload's SHA-256, and TLS protects it on the way.
 */
function sqsThroughput() {
  const protocol = new AwsJson1_0Protocol({
    defaultNamespace: 'com.amazonaws.sqs',
    serviceTarget: 'AmazonSQS',
    awsQueryCompatible: true,
    errorTypeRegistries,
    jsonCodec: new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false }),
  });
  return { protocol, md5: false as const };
}

// Emulators accept any credentials; fixed ones keep the SDK from searching the machine for real ones.
const emulatorCredentials = { accessKeyId: 'flywheel-local', secretAccessKey: 'flywheel-local' };

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const endpoints = options.endpoints ?? endpointsFromEnv();
  if (!endpoints) {
    return { dynamodb: new DynamoDBClient({ region }), sqs: new SQSClient({ region, ...sqsThroughput() }), s3: new S3Client({ region }) };
  }
  const local = { region, credentials: emulatorCredentials, maxAttempts: 3 };
  return {
    dynamodb: new DynamoDBClient({ ...local, endpoint: endpoints.dynamodb }),
    // Queue URLs of the emulator name a virtual host that does not resolve; send to the endpoint instead.
    sqs: new SQSClient({ ...local, ...sqsThroughput(), endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false }),
    s3: new S3Client({ ...local, endpoint: endpoints.s3, forcePathStyle: true }),
  };
}
