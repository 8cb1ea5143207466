import { z } from 'zod';

/** Counts are non-negative integers; every stored schema shares this. */
export const countSchema = z.number().int().min(0);
