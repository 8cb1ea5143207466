import { z } from 'zod';

/**
 * Names of models, aliases and endpoints: the names an endpoint config may reference
 * (routing/endpoint-config.ts accepts exactly these), and safe inside storage keys and URL paths.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const resourceNameSchema = z.string().regex(NAME_PATTERN, 'must be 1 to 63 letters, digits, "_" or "-", starting with a letter or digit');

export function isResourceName(value: string): boolean {
  return NAME_PATTERN.test(value);
}
