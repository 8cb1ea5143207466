import type { FunctionDefinition, QueueDefinition, TableDefinition } from './infra/types.ts';

/**
 * The deployment, built from the same typed data as the local stack (infra/), so the two cannot
 * drift apart. infra/sst-types.test.ts type-checks this file against SST's own platform types;
 * infra/sst.test.ts runs it against a recording stand-in to check it declares what infra/ says,
 * and test/packaging.test.ts builds and runs the packages it declares.
 *
 * Deploy-time settings (read here, when `sst deploy` evaluates this file):
 * - FLYWHEEL_KMS_KEY: `create` (a customer-managed key with rotation) or the ARN of an existing
 *   key, to encrypt the bucket, tables and queues with it; unset, AWS-managed encryption.
 * - FLYWHEEL_ALARM_EMAIL: an address subscribed to the alarms topic.
 */
export default $config({
  app(input) {
    return {
      name: 'flywheel',
      home: 'aws',
      removal: input?.stage === 'production' ? 'retain' : 'remove',
      protect: input?.stage === 'production',
    };
  },
  async run() {
    const { bucket, deadLetterQueueName, featureCatalog, functions, queues, tables } = await import('./infra/index.ts');
    const { buildDefinesOf, copyFilesOf, namedResourcesOf, regionalArchitecture, runtimeSettingsOf } = await import('./infra/function-package.ts');
    const { buildNodePackage, gitShaDefine } = await import('./infra/node-build.ts');
    const path = await import('node:path');

    type Permission = { actions: string[]; resources: $util.Input<string>[] };
    const kmsKeyArn = customerManagedKey(process.env.FLYWHEEL_KMS_KEY);
    const kmsPermissions: Permission[] = kmsKeyArn ? [{ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [kmsKeyArn] }] : [];

    const tableComponents = mapValues(tables, (table) => declareTable(table, kmsKeyArn));
    const queuePairs = mapValues(queues, (queue) => declareQueue(queue, deadLetterQueueName(queue), kmsKeyArn));
    const bucketComponent = declareBucket(kmsKeyArn);
    const features = declareFeatureCatalog(kmsKeyArn);

    type TableKey = keyof typeof tables;
    type QueueKey = keyof typeof queues;
    const linksOf = (fn: FunctionDefinition) =>
      fn.resources.map((resource) =>
        resource.kind === 'table'
          ? tableComponents[resource.name as TableKey]
          : resource.kind === 'queue'
            ? queuePairs[resource.name as QueueKey].queue
            : resource.kind === 'deadLetterQueue'
              ? queuePairs[resource.queue as QueueKey].dlq
              : bucketComponent,
      );
    // Functions find resources through the same variables the local stack sets.
    const environmentOf = (fn: FunctionDefinition): Record<string, $util.Output<string>> =>
      Object.fromEntries(
        namedResourcesOf(fn).map((named) => [
          named.envVar,
          named.kind === 'table' ? tableComponents[named.name].name : named.kind === 'queue' ? queuePairs[named.name].queue.url : bucketComponent.name,
        ]),
      );
    // Settings that are secrets, set per stage with `sst secret set <Name> <value>` before deploying.
    const secretSettings = {
      // Turns a request's `unit` into the logged unit hash; without it, deploying fails.
      FLYWHEEL_UNIT_HASH_KEY: new sst.Secret('UnitHashKey').value,
      // Alert webhooks as JSON (README, Configuration); none unless set.
      FLYWHEEL_ALERT_WEBHOOKS: new sst.Secret('AlertWebhooks', '[]').value,
    };
    const functionArgs = (fn: FunctionDefinition, permissions: Permission[]) => ({
      handler: fn.handler,
      description: fn.description,
      runtime: 'nodejs22.x' as const,
      architecture: regionalArchitecture,
      memory: `${fn.memoryMb} MB` as const,
      timeout: `${fn.timeoutSeconds} seconds` as const,
      link: linksOf(fn),
      environment: { ...environmentOf(fn), ...runtimeSettingsOf(fn), ...secretSettings, ...featureCatalogEnvironment(fn) },
      permissions: [...permissions, ...kmsPermissions, ...featureCatalogPermissions(fn)],
      copyFiles: copyFilesOf(fn),
      nodejs: { esbuild: { define: { ...buildDefinesOf(fn), ...gitShaDefine($cli.paths.root) } } },
    });

    const queriesFeatures = (fn: FunctionDefinition) => (featureCatalog.queriedBy as readonly string[]).includes(fn.name);
    // The Glue database and workgroup, for the functions that run historical joins on Athena.
    const featureCatalogEnvironment = (fn: FunctionDefinition): Record<string, $util.Output<string>> =>
      queriesFeatures(fn) ? { [featureCatalog.envVars.database]: features.database.name, [featureCatalog.envVars.workgroup]: features.workgroup.name } : {};
    /**
     * What a point-in-time join on Athena needs, and no more: run and read queries in the
     * workgroup (and stop one that overran), read the two tables' definitions, and the S3 Athena
     * uses with the caller's rights: the features and spines read, the spine and the results written.
     */
    const featureCatalogPermissions = (fn: FunctionDefinition): Permission[] => {
      if (!queriesFeatures(fn)) return [];
      const catalogArn = $interpolate`arn:aws:glue:${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}:catalog`;
      const objects = (prefix: string) => $interpolate`${bucketComponent.arn}/${prefix}*`;
      return [
        {
          actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'],
          resources: [features.workgroup.arn],
        },
        { actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'], resources: [catalogArn, features.database.arn, features.rowsTable.arn, features.spinesTable.arn] },
        { actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [bucketComponent.arn] },
        { actions: ['s3:GetObject'], resources: [objects(featureCatalog.table.prefix), objects(featureCatalog.workgroup.resultsPrefix)] },
        { actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [objects(featureCatalog.workgroup.resultsPrefix)] },
      ];
    };

    const alarms = new sst.aws.SnsTopic('Alarms');
    if (process.env.FLYWHEEL_ALARM_EMAIL) {
      new aws.sns.TopicSubscription('AlarmEmail', { topic: alarms.arn, protocol: 'email', endpoint: process.env.FLYWHEEL_ALARM_EMAIL });
    }
    for (const [key, pair] of Object.entries(queuePairs)) {
      dlqDepthAlarm(pascal(deadLetterQueueName(queues[key as QueueKey])), pair.dlq.nodes.queue.name, alarms.arn);
    }

    // scripts/create-admin-key.ts writes the first admin key there.
    const outputs: Record<string, $util.Input<string>> = {
      registryTable: tableComponents.registry.name,
      featureDatabase: features.database.name,
      featureWorkgroup: features.workgroup.name,
    };
    let api: sst.aws.Function | undefined;
    const edges: FunctionDefinition[] = [];
    for (const fn of Object.values(functions) as FunctionDefinition[]) {
      const trigger = fn.trigger;
      if (trigger.kind === 'edge') {
        edges.push(fn);
        continue;
      }
      const queue = trigger.kind === 'queue' ? queuePairs[trigger.queue as QueueKey].queue : undefined;
      // A consumer's own role receives from its queue (SST would grant this to a subscriber it builds).
      const consume: Permission[] = queue
        ? [{ actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], resources: [queue.arn] }]
        : [];
      const component = new sst.aws.Function(pascal(fn.name), { ...functionArgs(fn, consume), ...(trigger.kind === 'url' ? { url: true, streaming: trigger.streaming } : {}) });
      functionErrorAlarm(pascal(fn.name), component.name, alarms.arn);
      if (trigger.kind === 'queue') {
        queue!.subscribe(component.arn, {
          batch: { size: trigger.batchSize, window: `${trigger.batchWindowSeconds} seconds`, partialResponses: true },
        });
      } else if (trigger.kind === 'schedule') {
        new sst.aws.Cron(`${pascal(fn.name)}Schedule`, { schedule: rateExpression(trigger.everySeconds), function: component.arn });
      } else {
        api = component;
        outputs.api = component.url;
      }
    }
    if (!api) throw new Error('infra/functions.ts declares no function with a URL for the distribution to send to');

    for (const fn of edges) {
      const edge = declareEdgeFunction(fn);
      outputs.edgeFunctionVersion = edge.qualifiedArn;
      outputs.cdn = declareDistribution(api, edge.qualifiedArn).url;
    }
    return outputs;

    /**
     * Lambda@Edge, the way SST's own router.ts makes one: a published, x86_64 function in
     * us-east-1 whose role trusts edgelambda.amazonaws.com too, without environment variables
     * (Lambda@Edge allows none), so the names it reads are bundled into its code. It reads the
     * registry and the bucket, and sends prediction logs to the queue, in the stack's home region.
     */
    function declareEdgeFunction(fn: FunctionDefinition) {
      const usEast1 = new aws.Provider('UsEast1', { region: 'us-east-1' });
      const bundled = $resolve([$jsonStringify(environmentOf(fn)), aws.getRegionOutput().region]).apply(async ([environment, region]) => {
        const names = { ...(JSON.parse(environment) as Record<string, string>), FLYWHEEL_HOME_REGION: region };
        const built = await buildNodePackage({
          handler: fn.handler,
          runtime: 'nodejs22.x',
          root: $cli.paths.root,
          out: path.join($cli.paths.work, 'artifacts', `${pascal(fn.name)}-edge`),
          define: { ...defineEnvironment(names), ...buildDefinesOf(fn) },
          copyFiles: copyFilesOf(fn),
        });
        return { dir: built.dir, handler: built.handler };
      });
      const role = new aws.iam.Role(`${pascal(fn.name)}Role`, {
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] } }],
        }),
      });
      new aws.iam.RolePolicyAttachment(`${pascal(fn.name)}Logs`, {
        role: role.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      });
      // What links would grant an SST function, for the access infra/functions.ts gives each resource.
      const statements: Array<{ Effect: 'Allow'; Action: string[]; Resource: $util.Input<string>[] }> = fn.resources.flatMap((resource) => {
        if (resource.kind === 'table') {
          const table = tableComponents[resource.name as TableKey];
          const write = resource.access === 'readwrite' ? ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] : [];
          return { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', ...write], Resource: [table.arn, $interpolate`${table.arn}/index/*`] };
        }
        if (resource.kind === 'queue' || resource.kind === 'deadLetterQueue') {
          const pair = queuePairs[(resource.kind === 'queue' ? resource.name : resource.queue) as QueueKey];
          const consume = resource.access === 'consume' ? ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'] : [];
          return { Effect: 'Allow', Action: ['sqs:SendMessage', ...consume], Resource: [resource.kind === 'queue' ? pair.queue.arn : pair.dlq.arn] };
        }
        const write = resource.access === 'readwrite' ? ['s3:PutObject', 's3:DeleteObject'] : [];
        const puts = (resource.putsUnder ?? []).map((prefix) => $interpolate`${bucketComponent.arn}/${bucket.prefixes[prefix as keyof typeof bucket.prefixes]}*`);
        return [
          { Effect: 'Allow', Action: ['s3:GetObject', ...write], Resource: [$interpolate`${bucketComponent.arn}/*`] },
          ...(puts.length > 0 ? [{ Effect: 'Allow' as const, Action: ['s3:PutObject'], Resource: puts }] : []),
        ];
      });
      if (kmsKeyArn) statements.push({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [kmsKeyArn] });
      new aws.iam.RolePolicy(`${pascal(fn.name)}Access`, { role: role.id, policy: $jsonStringify({ Version: '2012-10-17', Statement: statements }) });
      return new aws.lambda.Function(
        pascal(fn.name),
        {
          description: fn.description,
          runtime: 'nodejs22.x',
          architectures: ['x86_64'],
          handler: bundled.handler,
          code: bundled.dir.apply((dir) => new $util.asset.FileArchive(dir)),
          role: role.arn,
          memorySize: fn.memoryMb,
          timeout: fn.timeoutSeconds,
          publish: true,
        },
        { provider: usEast1 },
      );
    }

    /**
     * CloudFront in front of the API's Function URL: every request goes to the API, except the
     * predict paths, which the edge function answers at origin-request (passing on what it does
     * not serve). The viewer's headers, query and body reach the function, but not its Host header,
     * which the Function URL needs to be its own. CloudFront drops `Authorization` from GET and
     * HEAD requests unless it is part of the cache key, so it is; responses are cached only if the
     * API says so, for at most a second, and per key.
     */
    function declareDistribution(api: sst.aws.Function, edgeVersionArn: $util.Input<string>) {
      const allViewerExceptHostHeader = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
      const perKey = new aws.cloudfront.CachePolicy('ApiCachePolicy', {
        comment: 'flywheel: forward Authorization, cache nothing the API does not mark cacheable',
        minTtl: 0,
        defaultTtl: 0,
        maxTtl: 1,
        parametersInCacheKeyAndForwardedToOrigin: {
          headersConfig: { headerBehavior: 'whitelist', headers: { items: ['Authorization'] } },
          cookiesConfig: { cookieBehavior: 'none' },
          queryStringsConfig: { queryStringBehavior: 'all' },
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      });
      const toApi = {
        targetOriginId: 'api',
        viewerProtocolPolicy: 'https-only',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: perKey.id,
        originRequestPolicyId: allViewerExceptHostHeader,
        compress: true,
      };
      return new sst.aws.Cdn('Cdn', {
        comment: 'flywheel: the API, predictions at the edge',
        origins: [
          {
            originId: 'api',
            domainName: api.url.apply((url) => new URL(url).host),
            customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'], originReadTimeout: 30 },
          },
        ],
        defaultCacheBehavior: toApi,
        orderedCacheBehaviors: [
          {
            ...toApi,
            pathPattern: '/v1/endpoints/*/predict',
            lambdaFunctionAssociations: [{ eventType: 'origin-request', lambdaArn: edgeVersionArn, includeBody: true }],
          },
        ],
      });
    }

    function declareTable(table: TableDefinition, kmsKey: $util.Input<string> | undefined) {
      const fields = Object.fromEntries([table.hashKey, table.rangeKey, ...table.indexes.flatMap((i) => [i.hashKey, i.rangeKey])].map((name) => [name, 'string' as const]));
      return new sst.aws.Dynamo(pascal(table.name), {
        fields,
        primaryIndex: { hashKey: table.hashKey, rangeKey: table.rangeKey },
        globalIndexes: Object.fromEntries(table.indexes.map((i) => [i.name, { hashKey: i.hashKey, rangeKey: i.rangeKey }])),
        ...(table.ttl ? { ttl: table.ttl } : {}),
        ...(kmsKey ? { transform: { table: { serverSideEncryption: { enabled: true, kmsKeyArn: kmsKey } } } } : {}),
      });
    }

    function declareQueue(queue: QueueDefinition, dlqName: string, kmsKey: $util.Input<string> | undefined) {
      const encryption = kmsKey ? { kmsMasterKeyId: kmsKey } : {};
      const dlq = new sst.aws.Queue(pascal(dlqName), {
        transform: { queue: { messageRetentionSeconds: queue.deadLetterRetentionSeconds, ...encryption } },
      });
      const main = new sst.aws.Queue(pascal(queue.name), {
        visibilityTimeout: `${queue.visibilityTimeoutSeconds} seconds`,
        dlq: { queue: dlq.arn, retry: queue.maxReceiveCount },
        transform: { queue: { messageRetentionSeconds: queue.retentionSeconds, ...encryption } },
      });
      return { queue: main, dlq };
    }

    function declareBucket(kmsKey: $util.Input<string> | undefined) {
      const component = new sst.aws.Bucket(pascal(bucket.name), {
        lifecycle: Object.entries(bucket.retentionDays).map(([prefix, days]) => ({
          id: `expire-${prefix}`,
          prefix: bucket.prefixes[prefix as keyof typeof bucket.retentionDays],
          expiresIn: `${days} days` as const,
        })),
        transform: {
          // SST's rules only expire objects; the abort rule is added to the lifecycle configuration
          // it builds (one per bucket: a second one would replace it). Its rules are a plain array there.
          lifecycle: (args) => {
            args.rules = [
              ...(args.rules as aws.types.input.s3.BucketLifecycleConfigurationRule[]),
              {
                id: 'abort-incomplete-uploads',
                status: 'Enabled',
                filter: {},
                abortIncompleteMultipartUpload: { daysAfterInitiation: bucket.abortIncompleteUploadsAfterDays },
              },
            ];
          },
        },
      });
      if (kmsKey) {
        new aws.s3.BucketServerSideEncryptionConfiguration(`${pascal(bucket.name)}Encryption`, {
          bucket: component.name,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: kmsKey }, bucketKeyEnabled: true }],
        });
      }
      return component;
    }

    /**
     * The Glue database and table over the feature store's Parquet files and the Athena workgroup
     * that queries them, and the table of the rows historical joins ask about (infra/feature-catalog.ts). Named after the stage's bucket, so stages in one
     * account do not collide; partitions are projected from the keys (`view` injected by each
     * query's filter, `date` a day range), so nothing has to register them.
     */
    function declareFeatureCatalog(kmsKey: $util.Input<string> | undefined) {
      const table = featureCatalog.table;
      const database = new aws.glue.CatalogDatabase('FeatureDatabase', {
        name: bucketComponent.name.apply((name) => `${name.replace(/[^a-z0-9]/g, '_')}_features`),
        description: 'flywheel: the offline feature store',
      });
      const rowsTable = new aws.glue.CatalogTable('FeatureRowsTable', {
        databaseName: database.name,
        name: table.name,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.view.type': 'injected',
          'projection.date.type': 'date',
          'projection.date.format': 'yyyy-MM-dd',
          // Rows may be stamped a few minutes ahead of the clock (core's clock-skew allowance), so past midnight too.
          'projection.date.range': '2000-01-01,NOW+1DAYS',
          'projection.date.interval': '1',
          'projection.date.interval.unit': 'DAYS',
          'storage.location.template': $interpolate`s3://${bucketComponent.name}/${table.prefix}view=\${view}/date=\${date}/`,
        },
        partitionKeys: table.partitionKeys.map((key) => ({ name: key.name, type: key.type })),
        storageDescriptor: {
          location: $interpolate`s3://${bucketComponent.name}/${table.prefix}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serDeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: table.columns.map((column) => ({ name: column.name, type: column.type })),
        },
      });
      // The rows each historical join asks about, one partition per join (its id injected by the query).
      const spines = featureCatalog.spines;
      const spinesTable = new aws.glue.CatalogTable('FeatureSpinesTable', {
        databaseName: database.name,
        name: spines.name,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.spine.type': 'injected',
          'storage.location.template': $interpolate`s3://${bucketComponent.name}/${spines.prefix}spine=\${spine}/`,
        },
        partitionKeys: spines.partitionKeys.map((key) => ({ name: key.name, type: key.type })),
        storageDescriptor: {
          location: $interpolate`s3://${bucketComponent.name}/${spines.prefix}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serDeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: spines.columns.map((column) => ({ name: column.name, type: column.type })),
        },
      });
      const workgroup = new aws.athena.Workgroup('FeatureWorkgroup', {
        name: bucketComponent.name.apply((name) => `${name}-features`),
        description: 'flywheel: point-in-time joins over the offline feature store',
        forceDestroy: true,
        configuration: {
          enforceWorkgroupConfiguration: true,
          resultConfiguration: {
            outputLocation: $interpolate`s3://${bucketComponent.name}/${featureCatalog.workgroup.resultsPrefix}`,
            encryptionConfiguration: kmsKey ? { encryptionOption: 'SSE_KMS', kmsKeyArn: kmsKey } : { encryptionOption: 'SSE_S3' },
          },
        },
      });
      return { database, workgroup, rowsTable, spinesTable };
    }

    function customerManagedKey(setting: string | undefined): $util.Input<string> | undefined {
      if (!setting) return undefined;
      if (setting !== 'create') return setting;
      return new aws.kms.Key('Key', { description: 'flywheel: bucket, tables and queues', enableKeyRotation: true, deletionWindowInDays: 30 }).arn;
    }

    function dlqDepthAlarm(name: string, queueName: $util.Input<string>, topic: $util.Input<string>) {
      new aws.cloudwatch.MetricAlarm(`${name}Depth`, {
        alarmDescription: `Dead letters are waiting in ${name}: inspect them, fix the cause, redrive.`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueName },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [topic],
        okActions: [topic],
      });
    }

    function functionErrorAlarm(name: string, functionName: $util.Input<string>, topic: $util.Input<string>) {
      new aws.cloudwatch.MetricAlarm(`${name}Errors`, {
        alarmDescription: `The ${name} function failed invocations in the last five minutes.`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: functionName },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [topic],
        okActions: [topic],
      });
    }
  },
});

function mapValues<K extends string, V, R>(record: Record<K, V>, fn: (value: V) => R): Record<K, R> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v as V)])) as Record<K, R>;
}

function defineEnvironment(environment: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [`process.env.${name}`, JSON.stringify(value)]));
}

function rateExpression(seconds: number): `rate(${string})` {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `rate(${minutes} ${minutes === 1 ? 'minute' : 'minutes'})`;
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
