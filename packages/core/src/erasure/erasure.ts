import { z } from 'zod';
import { sha256Hex } from '../auth/api-key.ts';

const name = z.string().min(1).max(256);

/** `POST /v1/erasures`: whom to erase (the raw unit as requests name it, and/or a feature-store entity) and why. */
export const ErasureRequestSchema = z.strictObject({
  subject: z
    .strictObject({
      /** The sticky unit as requests send it; hashed by the server with the serving path's key, never stored. */
      unit: z.string().min(1).max(256).optional(),
      entity: z.strictObject({ view: name, id: z.string().min(1).max(1024) }).optional(),
    })
    .refine((subject) => subject.unit !== undefined || subject.entity !== undefined, 'name a unit, an entity, or both'),
  reason: z.string().trim().min(1).max(1000),
});
export type ErasureRequest = z.infer<typeof ErasureRequestSchema>;

/** The subject as stored: the unit only as its keyed hash. */
export interface ErasureSubject {
  readonly unitHash?: string;
  readonly entity?: { readonly view: string; readonly id: string };
}

export type ErasureStatus = 'queued' | 'running' | 'succeeded' | 'failed';
/** The phases in the order they run; each resumes from its own checkpoint. */
export const ERASURE_PHASES = ['archive', 'units', 'datasets', 'features', 'done'] as const;
export type ErasurePhase = (typeof ERASURE_PHASES)[number];

/** What has been removed so far; the final report once the erasure has succeeded. */
export interface ErasureProgress {
  archiveObjectsScanned: number;
  archiveObjectsRewritten: number;
  archiveRowsRemoved: number;
  feedbackItemsDeleted: number;
  predictionItemsDeleted: number;
  /** The experiment's per-unit claims (which units it has counted; the counts stay). */
  unitClaimsDeleted: number;
  datasetsScanned: number;
  datasetsMarked: number;
  datasetRowsRemoved: number;
  /** The entity's online item, and the offline files rewritten without its rows. */
  featureItemsDeleted: number;
  featureFilesRewritten: number;
}

export const emptyProgress = (): ErasureProgress => ({
  archiveObjectsScanned: 0,
  archiveObjectsRewritten: 0,
  archiveRowsRemoved: 0,
  feedbackItemsDeleted: 0,
  predictionItemsDeleted: 0,
  unitClaimsDeleted: 0,
  datasetsScanned: 0,
  datasetsMarked: 0,
  datasetRowsRemoved: 0,
  featureItemsDeleted: 0,
  featureFilesRewritten: 0,
});

/** Longest list of rewritten archive objects or marked datasets an erasure names (the counts stay exact). */
export const MAX_LISTED = 200;

export interface Erasure {
  readonly erasureId: string;
  readonly subject: ErasureSubject;
  readonly reason: string;
  readonly status: ErasureStatus;
  readonly phase: ErasurePhase;
  /** The last item the current phase finished (an archive key, a dataset run id). */
  readonly cursor?: string;
  readonly progress: ErasureProgress;
  /** Archive objects rewritten without the subject's rows (the first {@link MAX_LISTED}). */
  readonly archiveObjects: readonly string[];
  /** Datasets marked as having had erased rows removed (their sha256, the first {@link MAX_LISTED}). */
  readonly datasets: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly error?: string;
  /** Who asked (API key id and name). */
  readonly requestedBy?: { readonly keyId: string; readonly keyName: string };
}

/** One of the subject's logged rows, found in the archive: what the join items and datasets are keyed by. */
export interface ErasedRow {
  readonly endpoint: string;
  /** `<request id>/<row>`. */
  readonly rowId: string;
}

const ERASURE_ID = /^er-[0-9a-f]{24}$/;
export const isErasureId = (id: string) => ERASURE_ID.test(id);

/**
 * What makes two requests the same erasure: the subject and the reason. While one runs, asking
 * again answers its id rather than starting another.
 */
export async function erasureSubjectKey(subject: ErasureSubject, reason: string): Promise<string> {
  return sha256Hex(JSON.stringify([subject.unitHash ?? null, subject.entity?.view ?? null, subject.entity?.id ?? null, reason.trim()]));
}

export function randomErasureId(): string {
  return `er-${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
