import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DatasetErasure, DatasetRegistry, DatasetVersion, DatasetVersionDraft } from '@flywheel/core';
import { conditionally, fromItem, lookupNames, queryAll, sortNumber, toItem, withoutKeys } from './dynamo-items.ts';

/**
 * Registry items under `pk = DATASET#<name>`:
 * - `COUNTER`: the last version number handed out; carries `lookup = DATASETS` so the `byLookup`
 *   index lists every name.
 * - `SHA#<hex>`: which version holds those bytes, written put-if-absent: of two registrations of
 *   the same bytes one wins and the other returns its version (its own number stays unused).
 * - `VERSION#<n>`: the version record, written after its SHA item, so a crash in between is
 *   finished by the next registration of the same bytes.
 */
export class DynamoDatasetRegistry implements DatasetRegistry {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async register(draft: DatasetVersionDraft): Promise<{ dataset: DatasetVersion; created: boolean }> {
    const pk = datasetKey(draft.name);
    const known = await this.getItem<{ version: number }>(pk, `SHA#${draft.sha256}`);
    if (known) return { dataset: await this.ensureVersion({ ...draft, version: known.version }), created: false };
    const { Attributes } = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: marshall({ pk, sk: 'COUNTER' }),
        UpdateExpression: 'SET lookup = :lookup, #name = :name ADD lastVersion :one',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: marshall({ ':lookup': 'DATASETS', ':name': draft.name, ':one': 1 }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const version = fromItem<{ lastVersion: number }>(Attributes!).lastVersion;
    const claimed = await conditionally(() =>
      this.dynamodb.send(new PutItemCommand({ TableName: this.table, Item: toItem({ pk, sk: `SHA#${draft.sha256}`, version }), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
    if (!claimed) return this.register(draft);
    return { dataset: await this.ensureVersion({ ...draft, version }), created: true };
  }

  async get(name: string, version: number): Promise<DatasetVersion | undefined> {
    const item = await this.getItem<DatasetVersion>(datasetKey(name), versionKey(version));
    return item && withoutKeys(item);
  }

  async listVersions(name: string): Promise<DatasetVersion[]> {
    const items = await queryAll<DatasetVersion>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': datasetKey(name), ':prefix': 'VERSION#' }),
      ConsistentRead: true,
    });
    return items.map(withoutKeys);
  }

  async listNames(): Promise<string[]> {
    return lookupNames(this.dynamodb, this.table, 'DATASETS', 'name');
  }

  async markErased(sha256: string, erasure: DatasetErasure): Promise<void> {
    for (const name of await this.listNames()) {
      const known = await this.getItem<{ version: number }>(datasetKey(name), `SHA#${sha256}`);
      const version = known && (await this.get(name, known.version));
      if (!version || version.erasures?.some((e) => e.erasureId === erasure.erasureId)) continue;
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: datasetKey(name), sk: versionKey(version.version) }),
          UpdateExpression: 'SET erasures = list_append(if_not_exists(erasures, :none), :erasure)',
          ExpressionAttributeValues: marshall({ ':none': [], ':erasure': [erasure] }),
        }),
      );
    }
  }

  /** The stored record of the version, writing it first if a crash left only its SHA item. */
  private async ensureVersion(dataset: DatasetVersion): Promise<DatasetVersion> {
    const pk = datasetKey(dataset.name);
    const written = await conditionally(() =>
      this.dynamodb.send(
        new PutItemCommand({ TableName: this.table, Item: toItem({ pk, sk: versionKey(dataset.version), ...dataset }), ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    );
    return written ? dataset : ((await this.get(dataset.name, dataset.version)) ?? dataset);
  }

  private async getItem<T>(pk: string, sk: string): Promise<T | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall({ pk, sk }), ConsistentRead: true }));
    return Item ? fromItem<T>(Item) : undefined;
  }
}

const datasetKey = (name: string) => `DATASET#${name}`;
const versionKey = (version: number) => `VERSION#${sortNumber(version)}`;
