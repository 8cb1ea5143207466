// Small helpers shared by the registry-table stores.
import { ConditionalCheckFailedException, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/** Zero-padded so that sort keys order numerically: VERSION#0000000002 < VERSION#0000000010. */
export function sortNumber(n: number): string {
  return String(n).padStart(10, '0');
}

/**
 * An item from a JavaScript value. Numbers are doubles here, whatever their size: the SDK's
 * marshaller would refuse an integer past 2^53 (a feature value or a metric of 1e20), and
 * {@link fromItem} reads every number back as the double it was, never as a BigInt.
 */
export function toItem(value: object): Record<string, AttributeValue> {
  return marshall(value, { removeUndefinedValues: true, allowImpreciseNumbers: true });
}

export function fromItem<T>(item: Record<string, AttributeValue>): T {
  return unmarshall(item, { wrapNumbers: Number }) as T;
}

/** Runs a conditional write; false when its condition did not hold. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Every item a query matches, across pages. */
export async function queryAll<T>(dynamodb: DynamoDBClient, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.push(fromItem<T>(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The item with the greatest sort key under a prefix: the newest of a numbered series. */
export async function newest<T>(dynamodb: DynamoDBClient, table: string, pk: string, prefix: string): Promise<T | undefined> {
  const { Items } = await dynamodb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': pk, ':prefix': prefix }),
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0] ? fromItem<T>(Items[0]) : undefined;
}

/** Strips the storage attributes (keys, index attributes) off an item. */
export function withoutKeys<T extends object>(item: T & { pk?: unknown; sk?: unknown; lookup?: unknown }): T {
  const { pk: _pk, sk: _sk, lookup: _lookup, ...rest } = item;
  return rest as T;
}

/**
 * The distinct values of `attribute` among the items a registry-table store marks with
 * `lookup = <lookup>` (the `byLookup` index lists every name it holds), sorted.
 */
export async function lookupNames(dynamodb: DynamoDBClient, table: string, lookup: string, attribute: string): Promise<string[]> {
  const items = await queryAll<Record<string, string>>(dynamodb, {
    TableName: table,
    IndexName: 'byLookup',
    KeyConditionExpression: 'lookup = :l',
    ExpressionAttributeValues: marshall({ ':l': lookup }),
    ProjectionExpression: '#name',
    ExpressionAttributeNames: { '#name': attribute },
  });
  return [...new Set(items.map((item) => item[attribute]!))].sort();
}
