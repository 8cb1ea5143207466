import { z } from 'zod';

/** A monitored column: a model input feature or a model output. */
export const ColumnSpecSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['numerical', 'categorical']),
  /** Categories the model declares; kept in the reference even when the baseline lacks them. */
  categories: z.array(z.string()).optional(),
});
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;
export type ColumnKind = ColumnSpec['kind'];

/** One record's values by column name. */
export type Row = Readonly<Record<string, unknown>>;

/** What the monitor observes per predicted row: its input features and the model's outputs. */
export interface MonitoredRecord {
  readonly features: Row;
  readonly outputs?: Row;
}
