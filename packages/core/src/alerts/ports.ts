import type { AlertKey } from './alert-key.ts';
import type { Alert, AlertStatusName } from './alert.ts';
import type { AlertState } from './alert-policy.ts';

export interface AlertStateRecord {
  readonly key: AlertKey;
  readonly state: AlertState;
  /** The alert this key's open (or acknowledged) state belongs to. */
  readonly alertId?: string;
  readonly revision: number;
}

/** Alerts and the policy state per alert key (the operations table). */
export interface AlertStore {
  states(endpoint: string): Promise<AlertStateRecord[]>;
  getState(key: AlertKey): Promise<AlertStateRecord | undefined>;
  /** Conditional on the revision (0: none stored yet); false when another writer got there first. */
  saveState(record: Omit<AlertStateRecord, 'revision'>, expectedRevision: number): Promise<boolean>;
  /** Stores a new alert; storing the same id again changes nothing. */
  create(alert: Alert): Promise<void>;
  get(id: string): Promise<Alert | undefined>;
  /** Moves an alert to `status` if it is in one of `from`; undefined when it is not (or is missing). */
  transition(id: string, status: Exclude<AlertStatusName, 'open'>, at: string, from: readonly AlertStatusName[], by?: 'policy' | 'user'): Promise<Alert | undefined>;
  /** Newest first. */
  list(filter: { status?: AlertStatusName; endpoint?: string; limit: number }): Promise<Alert[]>;
}
