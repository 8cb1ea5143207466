import { describe, expect, it } from 'vitest';
import { TrackingError } from './model.ts';
import { parseFilter, parseSubject } from './filter.ts';

describe('parseFilter', () => {
  it('reads comparisons of every entity joined by AND, dotted and quoted keys included', () => {
    expect(
      parseFilter(`metrics.rmse < 0.3 and params.model = 'tree' AND tags.mlflow.source.name LIKE 'fly%' AND attributes.status != "FAILED" AND metrics.\`val loss\` >= -1e-3`),
    ).toEqual([
      { entity: 'metric', key: 'rmse', comparator: '<', value: 0.3 },
      { entity: 'param', key: 'model', comparator: '=', value: 'tree' },
      { entity: 'tag', key: 'mlflow.source.name', comparator: 'LIKE', value: 'fly%' },
      { entity: 'attribute', key: 'status', comparator: '!=', value: 'FAILED' },
      { entity: 'metric', key: 'val loss', comparator: '>=', value: -0.001 },
    ]);
    expect(parseFilter(`attributes.run_id IN ('a', 'b') AND run.start_time > 1700000000000`)).toEqual([
      { entity: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { entity: 'attribute', key: 'start_time', comparator: '>', value: 1700000000000 },
    ]);
    expect(parseFilter('   ')).toEqual([]);
  });

  it.each([
    [`metrics.acc > 'high'`, /compares with a number/],
    [`params.p > '1'`, /is a string/],
    [`metrics.acc > 0.5 OR metrics.acc < 0.1`, /expected AND/],
    [`weights.x = 1`, /not one of/],
    [`params.p = 'open`, /unterminated/],
    [`metrics.acc LIKE 0.5`, /LIKE does not apply/],
    [`params.p IN ('a')`, /IN applies to/],
    [`metrics.acc >`, /ends too early/],
  ])('refuses %s as INVALID_PARAMETER_VALUE', (filter, message) => {
    let caught: unknown;
    try {
      parseFilter(filter);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TrackingError);
    expect((caught as TrackingError).code).toBe('INVALID_PARAMETER_VALUE');
    expect((caught as TrackingError).message).toMatch(message);
  });

  it('names one key for order_by', () => {
    expect(parseSubject('metrics."champion.accuracy"')).toEqual({ entity: 'metric', key: 'champion.accuracy' });
    expect(() => parseSubject('metrics.a = 1')).toThrow(TrackingError);
  });
});
