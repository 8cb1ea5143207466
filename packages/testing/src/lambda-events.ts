// Events as AWS services deliver them to a function, for tests that invoke packaged handlers.
import type { Message } from '@aws-sdk/client-sqs';
import type { CloudFrontRequestEvent, LambdaFunctionURLEvent, ScheduledEvent, SQSEvent } from 'aws-lambda';

export interface HttpCall {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

const urlDomain = 'abcdefghijklmnopqrstuvwxyz123456.lambda-url.eu-west-1.on.aws';

/** A Lambda Function URL event (payload 2.0); binary bodies arrive base64-encoded. */
export function functionUrlEvent(call: HttpCall): LambdaFunctionURLEvent {
  const binary = call.body instanceof Uint8Array;
  const body = call.body === undefined ? undefined : binary ? Buffer.from(call.body as Uint8Array).toString('base64') : (call.body as string);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: call.path,
    rawQueryString: call.query ?? '',
    headers: {
      accept: '*/*',
      host: urlDomain,
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-65f1c2a4-0d6a9c1f2b3e4d5f6a7b8c9d',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...Object.fromEntries(Object.entries(call.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
    },
    queryStringParameters: call.query ? Object.fromEntries(new URLSearchParams(call.query)) : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghijklmnopqrstuvwxyz123456',
      domainName: urlDomain,
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz123456',
      http: { method: call.method, path: call.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'b4c8c0e0-1d2e-4f3a-9b8c-7d6e5f4a3b2c',
      routeKey: '$default',
      stage: '$default',
      time: '03/Dec/2026:07:30:00 +0000',
      timeEpoch: 1796283000000,
    },
    body,
    isBase64Encoded: binary,
  } as LambdaFunctionURLEvent;
}

/** A CloudFront origin-request event with the body included (`includeBody`), as Lambda@Edge receives it. */
export function originRequestEvent(call: HttpCall & { body?: string; truncated?: boolean }): CloudFrontRequestEvent {
  const headers: Record<string, Array<{ key: string; value: string }>> = {
    host: [{ key: 'Host', value: urlDomain }],
    'user-agent': [{ key: 'User-Agent', value: 'Amazon CloudFront' }],
    via: [{ key: 'Via', value: '2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)' }],
    'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '203.0.113.178' }],
  };
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = [{ key: name, value }];
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'origin-request',
            requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
          },
          request: {
            clientIp: '203.0.113.178',
            method: call.method,
            uri: call.path,
            querystring: call.query ?? '',
            headers,
            origin: {
              custom: { customHeaders: {}, domainName: urlDomain, keepaliveTimeout: 5, path: '', port: 443, protocol: 'https', readTimeout: 30, sslProtocols: ['TLSv1.2'] },
            },
            ...(call.body !== undefined
              ? { body: { action: 'read-only', encoding: 'base64', inputTruncated: call.truncated ?? false, data: Buffer.from(call.body).toString('base64') } }
              : {}),
          },
        },
      },
    ],
  } as CloudFrontRequestEvent;
}

/** The SQS event Lambda's event source mapping builds from messages it received (with all their attributes). */
export function sqsEventFrom(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: message.Attributes?.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: queueArn.split(':')[3],
    })),
  };
}

/** The judge's schedule firing at `time`: what the judge function gets once a minute. */
export function judgeTick(time: Date | string): ScheduledEvent {
  return scheduledEvent('arn:aws:events:us-east-1:000000000000:rule/judge', new Date(time));
}

/** The event an EventBridge schedule rule (what sst.aws.Cron creates) sends its target. */
export function scheduledEvent(ruleArn: string, time = new Date()): ScheduledEvent {
  const [, , , region, account] = ruleArn.split(':');
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [ruleArn],
    detail: {},
  };
}
