// Child process for the kill -9 test: writes one item, message and object, says so, then idles.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '@flywheel/aws';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';

const [dataDir, marker] = process.argv.slice(2);
const aws = await startEmbeddedAws({ dataDir });
const clients = createAwsClients({ endpoints: aws.endpoints });
const names = await provisionStack(clients);
await clients.dynamodb.send(new PutItemCommand({ TableName: names.tables.operations, Item: { pk: { S: 'probe' }, sk: { S: marker } } }));
await clients.sqs.send(new SendMessageCommand({ QueueUrl: names.queues.events, MessageBody: marker }));
await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: `probe/${marker}`, Body: marker }));
console.log('written');
setInterval(() => undefined, 60_000);
