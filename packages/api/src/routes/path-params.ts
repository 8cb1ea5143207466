import type { Context } from 'hono';
import { isResourceName } from '@flywheel/core';
import { Problem } from '../problem.ts';

/** A model, alias or endpoint name from the path; 400 naming the parameter when it cannot be one. */
export function nameParam(c: Context, param: string): string {
  const value = c.req.param(param) ?? '';
  if (!isResourceName(value)) {
    throw new Problem(400, `${JSON.stringify(value)} is not a valid ${param} name.`, {
      errors: [{ path: param, message: 'must be 1 to 63 letters, digits, "_" or "-", starting with a letter or digit' }],
    });
  }
  return value;
}

/** A positive integer (a version number) from the path or query. */
export function positiveInt(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!/^[1-9]\d{0,9}$/.test(value ?? '') || !Number.isSafeInteger(number)) {
    throw new Problem(400, `${name} must be a positive integer, got ${JSON.stringify(value)}.`, { errors: [{ path: name, message: 'must be a positive integer' }] });
  }
  return number;
}
