import { describe, expect, it } from 'vitest';
import type { EndpointRecord } from './endpoint.ts';
import {
  approveStage,
  changeStage,
  deleteVersion,
  initialGovernance,
  matchesFilter,
  rejectStage,
  retag,
  servingReferences,
  type GovernanceOutcome,
  type GovernanceRecord,
} from './governance.ts';

const alice = { keyId: 'k-alice', keyName: 'alice' };
const bob = { keyId: 'k-bob', keyName: 'bob' };
const at = '2026-01-01T00:00:00.000Z';
const fresh = () => initialGovernance({ model: 'churn', version: 3, tags: { team: 'growth' }, createdAt: at });
const record = (outcome: GovernanceOutcome): GovernanceRecord => {
  if ('refused' in outcome) throw new Error(outcome.refused.detail);
  return outcome.record;
};

describe('stages', () => {
  it('walks none → staging → production (approved by another key) → archived, one revision per step', () => {
    const staging = record(changeStage(fresh(), { stage: 'staging', reason: 'offline eval', by: alice, at }));
    const requested = record(changeStage(staging, { stage: 'production', reason: 'better', by: alice, at }));
    expect(requested).toMatchObject({ stage: 'staging', revision: 2, pending: { stage: 'production', requestedBy: alice } });
    expect(approveStage(requested, { reason: 'mine', by: alice, at })).toEqual({ refused: { status: 403, detail: expect.stringContaining('another key') } });
    const production = record(approveStage(requested, { reason: 'reviewed', by: bob, at }));
    expect(production).toMatchObject({ stage: 'production', revision: 3, change: { kind: 'stage', from: 'staging', to: 'production', by: bob, request: { requestedBy: alice } } });
    expect(production.pending).toBeUndefined();
    expect(record(changeStage(production, { stage: 'archived', reason: 'retired', by: alice, at })).stage).toBe('archived');
  });

  it('refuses skipped steps (422), repeats and competing requests (409), and changes nothing', () => {
    const start = fresh();
    expect(changeStage(start, { stage: 'production', reason: 'x', by: alice, at })).toMatchObject({ refused: { status: 422 } });
    expect(changeStage(start, { stage: 'none', reason: 'x', by: alice, at })).toMatchObject({ refused: { status: 409 } });
    const requested = record(changeStage(record(changeStage(start, { stage: 'staging', reason: 'x', by: alice, at })), { stage: 'production', reason: 'x', by: alice, at }));
    expect(changeStage(requested, { stage: 'production', reason: 'again', by: bob, at })).toMatchObject({ refused: { status: 409 } });
    expect(approveStage(start, { reason: 'x', by: bob, at })).toMatchObject({ refused: { status: 409 } });
    expect(start).toEqual(fresh());
  });

  it('drops a pending request when the version leaves its stage, or when it is rejected', () => {
    const requested = record(changeStage(record(changeStage(fresh(), { stage: 'staging', reason: 'x', by: alice, at })), { stage: 'production', reason: 'x', by: alice, at }));
    expect(record(changeStage(requested, { stage: 'archived', reason: 'abandoned', by: bob, at })).pending).toBeUndefined();
    const rejected = record(rejectStage(requested, { reason: 'not convinced', by: bob, at }));
    expect(rejected).toMatchObject({ stage: 'staging', change: { kind: 'stage-rejected', reason: 'not convinced' } });
    expect(rejected.pending).toBeUndefined();
  });
});

describe('tags and deletion', () => {
  it('sets and removes tags, refusing a change that changes nothing', () => {
    const tagged = record(retag(fresh(), { set: { team: 'risk', tier: '1' }, remove: [], by: alice, at }));
    expect(tagged.tags).toEqual({ team: 'risk', tier: '1' });
    expect(record(retag(tagged, { remove: ['tier'], by: alice, at })).tags).toEqual({ team: 'risk' });
    expect(retag(tagged, { set: { team: 'risk' }, by: alice, at })).toMatchObject({ refused: { status: 409 } });
    expect(retag(tagged, { set: { a: '1' }, remove: ['a'], by: alice, at })).toMatchObject({ refused: { status: 422 } });
  });

  it('deletes once, and nothing changes a deleted version', () => {
    const deleted = record(deleteVersion(fresh(), { reason: 'leaked data', by: alice, at }));
    expect(deleted.deleted).toEqual({ by: alice, at, reason: 'leaked data' });
    expect(deleteVersion(deleted, { reason: 'again', by: alice, at })).toMatchObject({ refused: { status: 409 } });
    expect(changeStage(deleted, { stage: 'staging', reason: 'x', by: alice, at })).toMatchObject({ refused: { status: 409 } });
  });
});

describe('serving references', () => {
  const endpoint = (name: string, config: Partial<EndpointRecord['config']>) =>
    ({ endpoint: name, configVersion: 4, config: { variants: [], shadows: [], ...config } }) as unknown as EndpointRecord;
  it('finds variants and shadows naming the version directly or through an alias, of this model only', () => {
    const endpoints = [
      endpoint('a', {
        variants: [
          { name: 'control', model: 'churn', version: 3, weight: 0 },
          { name: 'other', model: 'fraud', version: 3, weight: 100 },
        ] as never,
      }),
      endpoint('b', {
        variants: [{ name: 'main', model: 'churn', version: 2, weight: 100 }] as never,
        shadows: [{ name: 'next', model: 'churn', alias: 'next', percent: 5 }] as never,
      }),
      endpoint('c', { variants: [{ name: 'main', model: 'churn', alias: 'stable', weight: 100 }] as never }),
    ];
    const aliases = [
      { model: 'churn', alias: 'next', version: 3 },
      { model: 'churn', alias: 'stable', version: 2 },
    ];
    expect(servingReferences(endpoints, aliases, 'churn', 3)).toEqual([
      { endpoint: 'a', configVersion: 4, role: 'variant', name: 'control' },
      { endpoint: 'b', configVersion: 4, role: 'shadow', name: 'next', alias: 'next' },
    ]);
    expect(servingReferences(endpoints, aliases, 'churn', 1)).toEqual([]);
  });
});

describe('search', () => {
  it('matches tag keys or key:value, stages and text in name or description', () => {
    const version = { model: 'churn-eu', description: 'Gradient-boosted trees' };
    const governance = { stage: 'staging' as const, tags: { team: 'risk', 'cost:centre': 'a:b' } };
    expect(matchesFilter(version, governance, { tag: 'team' })).toBe(true);
    expect(matchesFilter(version, governance, { tag: 'team:growth' })).toBe(false);
    expect(matchesFilter(version, governance, { tag: 'cost:centre:a:b' })).toBe(false);
    expect(matchesFilter(version, governance, { stage: 'production' })).toBe(false);
    expect(matchesFilter(version, governance, { q: 'BOOSTED', stage: 'staging' })).toBe(true);
    expect(matchesFilter(version, governance, { q: 'fraud' })).toBe(false);
  });
});
