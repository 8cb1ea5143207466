import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ApiKeyRotation, ApiKeyStore, StoredApiKey } from '@flywheel/core';

/** Registry items `pk = APIKEY#<id>, sk = APIKEY`; the `byLookup` index lists them all. */
export class DynamoApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<StoredApiKey | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall({ pk: `APIKEY#${id}`, sk: 'APIKEY' }), ConsistentRead: true }));
    return Item ? toKey(unmarshall(Item)) : undefined;
  }

  async create(key: StoredApiKey): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.table,
        Item: marshall({ pk: `APIKEY#${key.id}`, sk: 'APIKEY', lookup: 'APIKEYS', ...key }, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async list(): Promise<StoredApiKey[]> {
    const items: StoredApiKey[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'byLookup',
          KeyConditionExpression: 'lookup = :l',
          ExpressionAttributeValues: marshall({ ':l': 'APIKEYS' }),
          ExclusiveStartKey: start ? marshall(start) : undefined,
        }),
      );
      items.push(...(page.Items ?? []).map((item) => toKey(unmarshall(item))));
      start = page.LastEvaluatedKey ? unmarshall(page.LastEvaluatedKey) : undefined;
    } while (start);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(id: string, at: string): Promise<StoredApiKey | undefined> {
    try {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: `APIKEY#${id}`, sk: 'APIKEY' }),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: marshall({ ':at': at }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toKey(unmarshall(Attributes)) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async rotate(id: string, rotation: ApiKeyRotation, expectedSecretHash: string): Promise<StoredApiKey | undefined> {
    try {
      const { Attributes } = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: `APIKEY#${id}`, sk: 'APIKEY' }),
          UpdateExpression: 'SET secretHash = :new, previousSecret = :previous, rotatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND secretHash = :expected AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: marshall({
            ':new': rotation.secretHash,
            ':previous': rotation.previousSecret,
            ':at': rotation.rotatedAt,
            ':expected': expectedSecretHash,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toKey(unmarshall(Attributes)) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async touch(id: string, at: string): Promise<void> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: `APIKEY#${id}`, sk: 'APIKEY' }),
          // Never backwards, and never re-creates a key deleted meanwhile.
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :at)',
          ExpressionAttributeValues: marshall({ ':at': at }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function toKey(item: Record<string, unknown>): StoredApiKey {
  const { id, name, scopes, secretHash, createdAt, revokedAt, expiresAt, resources, rateLimit, previousSecret, rotatedAt, lastUsedAt } = item as unknown as StoredApiKey;
  return {
    id,
    name,
    scopes,
    secretHash,
    createdAt,
    ...(revokedAt ? { revokedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...(resources ? { resources } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(previousSecret ? { previousSecret } : {}),
    ...(rotatedAt ? { rotatedAt } : {}),
    ...(lastUsedAt ? { lastUsedAt } : {}),
  };
}
