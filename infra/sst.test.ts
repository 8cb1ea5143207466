import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ref, recordConfig, recordedResolver, type Declared, type Recording } from '@flywheel/testing/sst-recording';
import { copyFilesOf, namedResourcesOf, runtimeSettingsOf } from './function-package.ts';
import { bucket, deadLetterQueueName, featureCatalog, functions, queues, retention, tables, type FunctionDefinition } from './index.ts';

// What SST's types cannot say: that the config declares what infra/ defines. (infra/sst-types.test.ts
// checks the arguments against SST's types; test/packaging.test.ts runs what it declares.)

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const refOf = (value: unknown) => (value instanceof Ref ? value.ref : value);

const regional = (Object.values(functions) as FunctionDefinition[]).filter((fn) => fn.trigger.kind !== 'edge');

describe('sst.config.ts declares exactly what infra/ defines', () => {
  let recording: Recording;
  let outputs: Record<string, unknown>;
  let app: (input: { stage: string }) => unknown;
  let find: (kind: string, name: string) => Declared;

  beforeAll(async () => {
    ({ app, recording, outputs } = await recordConfig({ FLYWHEEL_KMS_KEY: undefined, FLYWHEEL_ALARM_EMAIL: undefined }));
    find = (kind, name) => recording.find(kind, pascal(name));
  });

  it('retains and protects the production stage only', () => {
    expect(app({ stage: 'production' })).toMatchObject({ name: 'flywheel', home: 'aws', removal: 'retain', protect: true });
    expect(app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('declares every table with its keys, indexes and TTL', () => {
    for (const table of Object.values(tables)) {
      const { args } = find('sst.aws.Dynamo', table.name);
      expect(args.primaryIndex).toEqual({ hashKey: table.hashKey, rangeKey: table.rangeKey });
      expect(args.globalIndexes).toEqual(Object.fromEntries(table.indexes.map((i) => [i.name, { hashKey: i.hashKey, rangeKey: i.rangeKey }])));
      expect(args.ttl).toBe('ttl' in table ? table.ttl : undefined);
      for (const key of [table.hashKey, table.rangeKey, ...table.indexes.flatMap((i) => [i.hashKey, i.rangeKey])]) {
        expect(args.fields[key]).toBe('string');
      }
      expect(args.transform).toBeUndefined();
    }
    expect(recording.byKind('sst.aws.Dynamo').size).toBe(Object.keys(tables).length);
  });

  it('declares every queue with its dead-letter queue, which keeps messages longer than the queue does', () => {
    for (const queue of Object.values(queues)) {
      const main = find('sst.aws.Queue', queue.name);
      const dlq = find('sst.aws.Queue', deadLetterQueueName(queue));
      expect(main.args.visibilityTimeout).toBe(`${queue.visibilityTimeoutSeconds} seconds`);
      expect(refOf(main.args.dlq.queue)).toBe(`${dlq.name}.arn`);
      expect(main.args.dlq.retry).toBe(queue.maxReceiveCount);
      expect(main.args.transform.queue).toEqual({ messageRetentionSeconds: queue.retentionSeconds });
      expect(dlq.args.transform.queue).toEqual({ messageRetentionSeconds: queue.deadLetterRetentionSeconds });
      expect(queue.deadLetterRetentionSeconds).toBeGreaterThan(queue.retentionSeconds);
      expect(queue.deadLetterRetentionSeconds).toBeLessThanOrEqual(14 * 24 * 3600);
    }
    expect(recording.byKind('sst.aws.Queue').size).toBe(2 * Object.keys(queues).length);
  });

  it('expires uploads, logs and datasets after the retention infra/bucket.ts gives them', () => {
    const { args } = find('sst.aws.Bucket', bucket.name);
    expect(args.lifecycle).toEqual(
      Object.entries(bucket.retentionDays).map(([prefix, days]) => ({
        id: `expire-${prefix}`,
        prefix: bucket.prefixes[prefix as keyof typeof bucket.prefixes],
        expiresIn: `${days} days`,
      })),
    );
    expect(Object.keys(bucket.retentionDays).sort()).toEqual(['athenaResults', 'batch', 'datasets', 'logs', 'uploads']);
    // Raw logs expire at the most an endpoint may keep them; shorter endpoint retention is swept by the retention function.
    expect(args.lifecycle).toContainEqual({ id: 'expire-logs', prefix: 'logs/', expiresIn: `${retention.logs.maxDays} days` });
  });

  it('aborts multipart uploads left incomplete for a day, bucket-wide, beside the expiry rules SST builds', () => {
    const { args } = find('sst.aws.Bucket', bucket.name);
    // SST hands its lifecycle configuration's arguments to the transform before creating it.
    const expiry = { id: 'expire-uploads', status: 'Enabled', expiration: { days: 1 }, filter: { prefix: 'uploads/' } };
    const lifecycle = { bucket: 'the-bucket', rules: [expiry] };
    args.transform.lifecycle(lifecycle, {}, 'ArtifactsLifecycle');
    expect(lifecycle.rules).toEqual([expiry, { id: 'abort-incomplete-uploads', status: 'Enabled', filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }]);
    expect(bucket.abortIncompleteUploadsAfterDays).toBe(1);
  });

  it("declares the Glue table over the feature store's Parquet partitions and the Athena workgroup, named per stage", async () => {
    const names: Record<string, string> = { [`${pascal(bucket.name)}.name`]: 'flywheel-dev-artifacts-x1', 'FeatureDatabase.name': 'the-database' };
    const resolve = recordedResolver((ref) => names[ref]);
    const database = (await resolve(recording.find('aws.glue.CatalogDatabase', 'FeatureDatabase').args)) as { name: string };
    expect(database.name).toBe('flywheel_dev_artifacts_x1_features');
    const table = (await resolve(recording.find('aws.glue.CatalogTable', 'FeatureRowsTable').args)) as Record<string, any>;
    expect(table).toMatchObject({ databaseName: 'the-database', name: featureCatalog.table.name, tableType: 'EXTERNAL_TABLE' });
    expect(table.storageDescriptor.columns).toEqual(featureCatalog.table.columns);
    expect(table.partitionKeys).toEqual(featureCatalog.table.partitionKeys);
    // The keys the offline store writes: features/view=<view>/date=<yyyy-mm-dd>/<sha256>.parquet
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's partition projection template, not a JS template
    expect(table.parameters['storage.location.template']).toBe('s3://flywheel-dev-artifacts-x1/features/view=${view}/date=${date}/');
    const workgroup = (await resolve(recording.find('aws.athena.Workgroup', 'FeatureWorkgroup').args)) as Record<string, any>;
    expect(workgroup.configuration.resultConfiguration.outputLocation).toBe(`s3://flywheel-dev-artifacts-x1/${bucket.prefixes.athenaResults}`);
    expect(Object.keys(bucket.retentionDays)).toContain('athenaResults');
    // The spines historical joins write (packages/aws/src/athena-feature-engine.ts), one partition per join, expiring with the results.
    const spines = (await resolve(recording.find('aws.glue.CatalogTable', 'FeatureSpinesTable').args)) as Record<string, any>;
    expect(spines.storageDescriptor.columns).toEqual(featureCatalog.spines.columns);
    expect(spines.parameters['storage.location.template']).toBe(`s3://flywheel-dev-artifacts-x1/${bucket.prefixes.athenaResults}spines/spine=\${spine}/`);
  });

  it('grants Athena, Glue and the features and results prefixes to the functions that query the catalog, and to no other', () => {
    for (const fn of regional) {
      const { args } = find('sst.aws.Function', fn.name);
      const actions = (args.permissions as Array<{ actions: string[] }>).flatMap((p) => p.actions);
      const queries = (featureCatalog.queriedBy as readonly string[]).includes(fn.name);
      for (const action of ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'glue:GetTable', 'glue:GetPartitions'])
        expect(actions.includes(action), `${fn.name} ${action}`).toBe(queries);
      if (!queries) continue;
      expect(refOf(args.environment[featureCatalog.envVars.database])).toBe('FeatureDatabase.name');
      expect(refOf(args.environment[featureCatalog.envVars.workgroup])).toBe('FeatureWorkgroup.name');
      const athena = (args.permissions as Array<{ actions: string[]; resources: unknown[] }>).find((p) => p.actions.includes('athena:StartQueryExecution'))!;
      expect(athena.resources.map(refOf)).toEqual(['FeatureWorkgroup.arn']);
    }
  });

  it('declares each regional function with its settings, links, names and package files', () => {
    for (const fn of regional) {
      const { args } = find('sst.aws.Function', fn.name);
      expect(args).toMatchObject({ handler: fn.handler, runtime: 'nodejs22.x', memory: `${fn.memoryMb} MB`, timeout: `${fn.timeoutSeconds} seconds` });
      const linked = (args.link as Array<{ record: Declared }>).map((c) => c.record.name);
      const granted = fn.resources.map((r) =>
        r.kind === 'table'
          ? tables[r.name as keyof typeof tables].name
          : r.kind === 'queue'
            ? queues[r.name as keyof typeof queues].name
            : r.kind === 'deadLetterQueue'
              ? deadLetterQueueName(queues[r.queue as keyof typeof queues])
              : bucket.name,
      );
      expect(linked.sort()).toEqual(granted.map(pascal).sort());
      const catalogNames = (featureCatalog.queriedBy as readonly string[]).includes(fn.name) ? Object.values(featureCatalog.envVars) : [];
      expect(Object.keys(args.environment).sort()).toEqual(
        [...namedResourcesOf(fn).map((n) => n.envVar), ...Object.keys(runtimeSettingsOf(fn)), ...catalogNames, 'FLYWHEEL_ALERT_WEBHOOKS', 'FLYWHEEL_UNIT_HASH_KEY'].sort(),
      );
      expect(refOf(args.environment.FLYWHEEL_UNIT_HASH_KEY)).toBe('UnitHashKey.value');
      expect(refOf(args.environment.FLYWHEEL_ALERT_WEBHOOKS)).toBe('AlertWebhooks.value');
      expect(args.copyFiles).toEqual(copyFilesOf(fn));
      expect(args.url).toBe(fn.trigger.kind === 'url' ? true : undefined);
      // The URL streams the response of a handler that streams (its invoke mode RESPONSE_STREAM).
      expect(args.streaming).toBe(fn.trigger.kind === 'url' ? fn.trigger.streaming : undefined);
    }
    expect(functions.api.trigger).toEqual({ kind: 'url', streaming: true });
  });

  it('reads the unit hash key and the alert webhooks from SST secrets, the key without a default', () => {
    expect(recording.find('sst.Secret', 'UnitHashKey').args).toEqual({});
    expect(recording.find('sst.Secret', 'AlertWebhooks').args).toBe('[]');
  });

  it('subscribes each consumer to its queue with its batch settings and lets its own role receive from it', () => {
    for (const fn of regional) {
      if (fn.trigger.kind !== 'queue') continue;
      const queue = find('sst.aws.Queue', queues[fn.trigger.queue as keyof typeof queues].name);
      expect(queue.calls).toHaveLength(1);
      const [subscriber, subscription] = queue.calls[0].args as [unknown, Record<string, any>];
      expect(refOf(subscriber)).toBe(`${pascal(fn.name)}.arn`);
      expect(subscription.batch).toEqual({ size: fn.trigger.batchSize, window: `${fn.trigger.batchWindowSeconds} seconds`, partialResponses: true });
      const { permissions } = find('sst.aws.Function', fn.name).args;
      expect(permissions).toContainEqual(expect.objectContaining({ actions: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']) }));
      expect(permissions.flatMap((p: { resources: unknown[] }) => p.resources.map(refOf))).toContain(`${queue.name}.arn`);
    }
  });

  it('runs each scheduled function from a cron at its rate', () => {
    for (const fn of regional) {
      if (fn.trigger.kind !== 'schedule') continue;
      const cron = recording.find('sst.aws.Cron', `${pascal(fn.name)}Schedule`);
      const minutes = Math.max(1, Math.round(fn.trigger.everySeconds / 60));
      expect(cron.args.schedule).toBe(`rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`);
      expect(refOf(cron.args.function)).toBe(`${pascal(fn.name)}.arn`);
    }
  });

  it('makes the edge function a Lambda@Edge function: published, x86_64, no environment, in us-east-1, trusted by edgelambda', () => {
    const edge = find('aws.lambda.Function', functions.edge.name);
    expect(edge.args).toMatchObject({
      runtime: 'nodejs22.x',
      architectures: ['x86_64'],
      publish: true,
      memorySize: functions.edge.memoryMb,
      timeout: functions.edge.timeoutSeconds,
    });
    // Lambda@Edge origin-request functions run at most 30 s.
    expect(functions.edge.timeoutSeconds).toBeLessThanOrEqual(30);
    expect(edge.args.environment).toBeUndefined();
    expect((edge.opts?.provider as { record: Declared } | undefined)?.record.args).toEqual({ region: 'us-east-1' });
    const role = recording.find('aws.iam.Role', `${pascal(functions.edge.name)}Role`);
    expect(refOf(edge.args.role)).toBe(`${role.name}.arn`);
    expect(JSON.parse(role.args.assumeRolePolicy).Statement[0].Principal.Service.sort()).toEqual(['edgelambda.amazonaws.com', 'lambda.amazonaws.com']);
    expect(refOf(outputs.edgeFunctionVersion)).toBe(`${edge.name}.qualifiedArn`);
  });

  it('lets the edge role read the registry and the bucket, send prediction logs and spill them, in the home region, and nothing else', () => {
    const policy = recording.find('aws.iam.RolePolicy', `${pascal(functions.edge.name)}Access`);
    const [document] = policy.args.policy.inputs as [{ Statement: Array<{ Action: string[]; Resource: unknown[] }> }];
    const granted = document.Statement.map((statement) => ({
      actions: statement.Action,
      resources: statement.Resource.map((resource) => (resource instanceof Ref ? resource.ref : (resource as { values: unknown[] }).values.map(refOf).join())),
    }));
    expect(granted).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'], resources: ['Registry.arn', 'Registry.arn'] },
      { actions: ['sqs:SendMessage'], resources: ['PredictionLogs.arn'] },
      { actions: ['s3:GetObject'], resources: ['Artifacts.arn'] },
      // Only under spill/.
      { actions: ['s3:PutObject'], resources: [`Artifacts.arn,${bucket.prefixes.spill}`] },
    ]);
    expect(functions.edge.resources.map((r) => r.kind)).toEqual(['table', 'queue', 'bucket']);
  });

  it('grants puts under prefixes only where the bucket has them', () => {
    for (const fn of Object.values(functions) as FunctionDefinition[]) {
      for (const resource of fn.resources) {
        if (resource.kind === 'bucket') for (const prefix of resource.putsUnder ?? []) expect(Object.keys(bucket.prefixes), fn.name).toContain(prefix);
      }
    }
  });

  it('puts CloudFront in front of the API, with the edge function on the predict paths at origin-request', () => {
    const cdn = recording.find('sst.aws.Cdn', 'Cdn');
    const [origin] = cdn.args.origins;
    expect(origin.originId).toBe('api');
    expect(origin.domainName.inputs.map(refOf)).toEqual(['Api.url']);
    expect(origin.domainName.fn(['https://abc.lambda-url.eu-west-1.on.aws/'])).toBe('abc.lambda-url.eu-west-1.on.aws');
    expect(cdn.args.defaultCacheBehavior).toMatchObject({ targetOriginId: 'api', viewerProtocolPolicy: 'https-only' });
    // CloudFront forwards Authorization on GET only when it is in the cache key.
    const cachePolicy = recording.find('aws.cloudfront.CachePolicy', 'ApiCachePolicy');
    expect(refOf(cdn.args.defaultCacheBehavior.cachePolicyId)).toBe(`${cachePolicy.name}.id`);
    expect(cachePolicy.args.parametersInCacheKeyAndForwardedToOrigin.headersConfig.headers.items).toEqual(['Authorization']);
    expect(cachePolicy.args).toMatchObject({ minTtl: 0, defaultTtl: 0 });
    expect(cdn.args.defaultCacheBehavior.lambdaFunctionAssociations).toBeUndefined();
    const [predict] = cdn.args.orderedCacheBehaviors;
    expect(predict).toMatchObject({ pathPattern: '/v1/endpoints/*/predict', targetOriginId: 'api', allowedMethods: expect.arrayContaining(['POST']) });
    expect(predict.lambdaFunctionAssociations).toHaveLength(1);
    expect(predict.lambdaFunctionAssociations[0]).toMatchObject({ eventType: 'origin-request', includeBody: true });
    expect(refOf(predict.lambdaFunctionAssociations[0].lambdaArn)).toBe('Edge.qualifiedArn');
    expect(refOf(outputs.cdn)).toBe('Cdn.url');
  });

  it('alarms on every dead-letter queue with messages and every regional function with errors', () => {
    const alarms = recording.byKind('aws.cloudwatch.MetricAlarm');
    for (const queue of Object.values(queues)) {
      const alarm = alarms.get(`${pascal(deadLetterQueueName(queue))}Depth`)!;
      expect(alarm.args).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', threshold: 0, comparisonOperator: 'GreaterThanThreshold' });
      expect(refOf(alarm.args.dimensions.QueueName)).toBe(`${pascal(deadLetterQueueName(queue))}.nodes.queue.name`);
    }
    for (const fn of regional) {
      const alarm = alarms.get(`${pascal(fn.name)}Errors`)!;
      expect(alarm.args).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', threshold: 0 });
      expect(refOf(alarm.args.dimensions.FunctionName)).toBe(`${pascal(fn.name)}.name`);
      expect(alarm.args.alarmActions.map(refOf)).toEqual(['Alarms.arn']);
    }
    expect(alarms.size).toBe(Object.keys(queues).length + regional.length);
  });
});

describe('sst.config.ts with a customer-managed KMS key (FLYWHEEL_KMS_KEY=create)', () => {
  it('encrypts the tables, queues and bucket with the key and lets every function use it', async () => {
    const { recording } = await recordConfig({ FLYWHEEL_KMS_KEY: 'create' });
    const key = recording.find('aws.kms.Key', 'Key');
    expect(key.args.enableKeyRotation).toBe(true);
    const keyArn = `${key.name}.arn`;
    for (const table of recording.byKind('sst.aws.Dynamo').values()) {
      expect(table.args.transform.table.serverSideEncryption.enabled).toBe(true);
      expect(refOf(table.args.transform.table.serverSideEncryption.kmsKeyArn)).toBe(keyArn);
    }
    for (const queue of recording.byKind('sst.aws.Queue').values()) expect(refOf(queue.args.transform.queue.kmsMasterKeyId)).toBe(keyArn);
    const encryption = recording.find('aws.s3.BucketServerSideEncryptionConfiguration', `${pascal(bucket.name)}Encryption`);
    expect(refOf(encryption.args.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId)).toBe(keyArn);
    for (const fn of recording.byKind('sst.aws.Function').values()) {
      expect(fn.args.permissions.some((p: { actions: string[]; resources: unknown[] }) => p.actions.includes('kms:Decrypt') && refOf(p.resources[0]) === keyArn)).toBe(true);
    }
  });
});

describe('infra/ is deployable as written', () => {
  it('points every handler at a file that exports it', () => {
    for (const fn of Object.values(functions)) {
      const [file, exported] = fn.handler.split('.');
      expect(existsSync(`${file}.ts`), `${file}.ts`).toBe(true);
      expect(readFileSync(`${file}.ts`, 'utf8')).toMatch(new RegExp(`export (const|async function|function) ${exported}\\b`));
    }
  });

  it('keeps queue visibility at six times the consumer timeout, as AWS advises, and batches within limits', () => {
    for (const fn of Object.values(functions)) {
      if (fn.trigger.kind !== 'queue') continue;
      expect(queues[fn.trigger.queue].visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * fn.timeoutSeconds);
      expect(fn.trigger.batchSize).toBeLessThanOrEqual(fn.trigger.batchWindowSeconds > 0 ? 10_000 : 10);
    }
  });
});
