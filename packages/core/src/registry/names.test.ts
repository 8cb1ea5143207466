import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEndpointConfig } from '../routing/endpoint-config.ts';
import { isResourceName } from './names.ts';

describe('resource names', () => {
  it('are exactly the model names an endpoint config accepts', () => {
    const nameLike = fc.stringMatching(/^[a-zA-Z0-9_\-.#/ ]{0,70}$/);
    fc.assert(
      fc.property(nameLike, (model) => {
        const accepted = parseEndpointConfig({ variants: [{ name: 'v', model, version: 1, weight: 100 }] }).ok;
        expect(isResourceName(model)).toBe(accepted);
      }),
    );
  });
});
