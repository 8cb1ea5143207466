import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { RegistrationInProgressError, VersionDeletedError, sleep, type AliasChange, type ModelRegistry, type ModelVersion, type ModelVersionDraft } from '@flywheel/core';
import { conditionally, fromItem, lookupNames, newest, queryAll, sortNumber, toItem, withoutKeys } from './dynamo-items.ts';

export interface DynamoModelRegistryOptions {
  /** A claim on a sha256 older than this is taken over: its registration died half-way. */
  claimLeaseMs?: number;
  /** How long a registration waits for a concurrent one of the same bytes to finish. */
  claimWaitMs?: number;
}

interface ShaItem {
  version?: number;
  token?: string;
  claimedAt?: number;
}

/**
 * Registry items under `pk = MODEL#<model>`:
 * - `VERSION#<n>`: the version record, written once by a put-if-absent, which is what makes
 *   concurrent registrations take distinct numbers. Version 1 carries `lookup = MODELS`, so the
 *   `byLookup` index lists every model.
 * - `SHA#<hex>`: which version holds those bytes. It is first written as a claim, so two
 *   registrations of the same bytes cannot both number a version; base-table reads are
 *   consistent where the index would not be.
 * - `ALIAS#<alias>#<revision>`: every move of an alias; the newest is where it points, so a move
 *   is a single put-if-absent and the history cannot miss one.
 * - `GOV#<version>#<revision>`: the version's governance (stage, tags, deletion), written by
 *   DynamoGovernanceStore the same way.
 */
export class DynamoModelRegistry implements ModelRegistry {
  private readonly claimLeaseMs: number;
  private readonly claimWaitMs: number;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    options: DynamoModelRegistryOptions = {},
  ) {
    this.claimLeaseMs = options.claimLeaseMs ?? 30_000;
    this.claimWaitMs = options.claimWaitMs ?? 15_000;
  }

  async register(draft: ModelVersionDraft): Promise<{ version: ModelVersion; created: boolean }> {
    const pk = modelKey(draft.model);
    const sk = `SHA#${draft.sha256}`;
    const token = crypto.randomUUID();
    const deadline = Date.now() + this.claimWaitMs;
    for (;;) {
      const claim = await this.getItem<ShaItem>(pk, sk);
      if (claim?.version !== undefined) {
        const existing = await this.getItem<StoredVersion>(pk, `VERSION#${sortNumber(claim.version)}`);
        if (existing?.deleted) throw new VersionDeletedError(draft.model, claim.version);
        if (existing) return { version: visible(existing)!, created: false };
        throw new Error(`registry item ${pk}/${sk} names version ${claim.version}, which does not exist`);
      }
      const now = Date.now();
      let claimed: boolean;
      let tookOver = false;
      if (!claim) {
        claimed = await conditionally(() =>
          this.dynamodb.send(
            new PutItemCommand({
              TableName: this.table,
              Item: toItem({ pk, sk, token, claimedAt: now }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } else if (now - (claim.claimedAt ?? 0) > this.claimLeaseMs) {
        claimed = tookOver = await this.takeOverClaim(pk, sk, claim, token, now);
      } else {
        if (now > deadline) throw new RegistrationInProgressError('another registration of the same bytes is in progress; retry shortly');
        await sleep(25);
        continue;
      }
      if (!claimed) continue;
      // A claim taken over may have died after numbering its version: finish that one instead.
      const earlier = tookOver ? await this.findBySha(draft.model, draft.sha256) : undefined;
      const version = earlier ?? (await this.insertVersion(draft));
      await conditionally(() =>
        this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: marshall({ pk, sk }),
            UpdateExpression: 'SET #version = :v REMOVE #token, claimedAt',
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token', '#version': 'version' },
            ExpressionAttributeValues: marshall({ ':v': version.version, ':token': token }),
          }),
        ),
      );
      return { version, created: !earlier };
    }
  }

  async getVersion(model: string, version: number): Promise<ModelVersion | undefined> {
    return visible(await this.getItem<StoredVersion>(modelKey(model), `VERSION#${sortNumber(version)}`));
  }

  async latestVersion(model: string): Promise<ModelVersion | undefined> {
    const item = await newest<StoredVersion>(this.dynamodb, this.table, modelKey(model), 'VERSION#');
    // Only when the newest was deleted does finding the latest take the whole list.
    return item?.deleted ? (await this.listVersions(model)).at(-1) : visible(item);
  }

  async listVersions(model: string): Promise<ModelVersion[]> {
    const items = await queryAll<StoredVersion>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': modelKey(model), ':prefix': 'VERSION#' }),
      ConsistentRead: true,
    });
    return items.flatMap((item) => visible(item) ?? []);
  }

  async markDeleted(model: string, version: number, deleted: { at: string; actor: string; reason: string }): Promise<void> {
    await conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk: modelKey(model), sk: `VERSION#${sortNumber(version)}` }),
          UpdateExpression: 'SET deleted = if_not_exists(deleted, :deleted)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: marshall({ ':deleted': deleted }),
        }),
      ),
    );
  }

  async listModels(): Promise<string[]> {
    return lookupNames(this.dynamodb, this.table, 'MODELS', 'model');
  }

  async moveAlias(model: string, alias: string, version: number, options: { at: string; actor?: string; reason?: string }): Promise<AliasChange> {
    const pk = modelKey(model);
    // Each attempt takes the next revision; losing the race to another move just means trying the one after.
    for (let attempt = 0; attempt < 50; attempt++) {
      const previous = await newest<AliasChange>(this.dynamodb, this.table, pk, aliasPrefix(alias));
      const change: AliasChange = {
        model,
        alias,
        version,
        previousVersion: previous?.version,
        revision: (previous?.revision ?? 0) + 1,
        changedAt: options.at,
        actor: options.actor,
        ...(options.reason ? { reason: options.reason } : {}),
      };
      const written = await conditionally(() =>
        this.dynamodb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({ pk, sk: aliasPrefix(alias) + sortNumber(change.revision), ...change }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (written) return change;
    }
    throw new Error(`alias ${model}/${alias} kept changing under 50 attempts to move it`);
  }

  async getAlias(model: string, alias: string): Promise<AliasChange | undefined> {
    const item = await newest<AliasChange>(this.dynamodb, this.table, modelKey(model), aliasPrefix(alias));
    return item && withoutKeys(item);
  }

  async aliasHistory(model: string, alias: string): Promise<AliasChange[]> {
    const items = await queryAll<AliasChange>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': modelKey(model), ':prefix': aliasPrefix(alias) }),
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map(withoutKeys);
  }

  async listAliases(model: string): Promise<AliasChange[]> {
    const items = await queryAll<AliasChange>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': modelKey(model), ':prefix': 'ALIAS#' }),
      ConsistentRead: true,
    });
    const current = new Map<string, AliasChange>();
    for (const item of items) {
      const seen = current.get(item.alias);
      if (!seen || item.revision > seen.revision) current.set(item.alias, withoutKeys(item));
    }
    return [...current.values()].sort((a, b) => a.alias.localeCompare(b.alias));
  }

  /** Numbers the draft one past the newest version, moving on when a concurrent registration took that number. */
  private async insertVersion(draft: ModelVersionDraft): Promise<ModelVersion> {
    const pk = modelKey(draft.model);
    for (let attempt = 0; attempt < 100; attempt++) {
      const latest = await newest<ModelVersion>(this.dynamodb, this.table, pk, 'VERSION#');
      const version: ModelVersion = { ...draft, version: (latest?.version ?? 0) + 1 };
      const written = await conditionally(() =>
        this.dynamodb.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({
              pk,
              sk: `VERSION#${sortNumber(version.version)}`,
              ...(version.version === 1 ? { lookup: 'MODELS' } : {}),
              ...version,
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (written) return version;
    }
    throw new Error(`model ${draft.model} kept gaining versions under 100 attempts to number one`);
  }

  private async takeOverClaim(pk: string, sk: string, claim: ShaItem, token: string, now: number): Promise<boolean> {
    return conditionally(() =>
      this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: marshall({ pk, sk }),
          UpdateExpression: 'SET #token = :token, claimedAt = :now',
          ConditionExpression: '#token = :old AND attribute_not_exists(#version)',
          ExpressionAttributeNames: { '#token': 'token', '#version': 'version' },
          ExpressionAttributeValues: marshall({ ':token': token, ':now': now, ':old': claim.token ?? '' }),
        }),
      ),
    );
  }

  private async findBySha(model: string, sha256: string): Promise<ModelVersion | undefined> {
    const items = await queryAll<StoredVersion>(this.dynamodb, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: 'sha256 = :sha',
      ExpressionAttributeValues: marshall({ ':pk': modelKey(model), ':prefix': 'VERSION#', ':sha': sha256 }),
      ConsistentRead: true,
    });
    if (items[0]?.deleted) throw new VersionDeletedError(model, items[0].version);
    return visible(items[0]);
  }

  private async getItem<T>(pk: string, sk: string): Promise<T | undefined> {
    const { Item } = await this.dynamodb.send(new GetItemCommand({ TableName: this.table, Key: marshall({ pk, sk }), ConsistentRead: true }));
    return Item ? fromItem<T>(Item) : undefined;
  }
}

/** A version item as stored: a deleted version keeps its item (its number and bytes stay taken) with a tombstone. */
type StoredVersion = ModelVersion & { deleted?: { at: string; actor: string; reason: string } };

function visible(item: StoredVersion | undefined): ModelVersion | undefined {
  if (!item || item.deleted) return undefined;
  const { deleted: _deleted, ...version } = withoutKeys(item);
  return version;
}

const modelKey = (model: string) => `MODEL#${model}`;
// The trailing # keeps alias `a` from matching the history of alias `ab`.
const aliasPrefix = (alias: string) => `ALIAS#${alias}#`;
