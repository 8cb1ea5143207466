export { alertKeyId, type AlertKey, type AlertKind } from './alert-key.ts';
export { ALERT_STATUSES, alertIdFor, alertSummary, type Alert, type AlertStatusName } from './alert.ts';
export type { AlertStateRecord, AlertStore } from './ports.ts';
export {
  AlertPolicyOptionsSchema,
  DEFAULT_ALERT_POLICY,
  NO_ALERT,
  acknowledgeAlert,
  decideAlert,
  resolveAlert,
  type AlertPolicyOptions,
  type AlertPolicyOptionsInput,
  type AlertSignal,
  type AlertState,
  type AlertStatus,
  type AlertTransition,
} from './alert-policy.ts';
export {
  ServiceHealthThresholdsSchema,
  serviceHealthSignals,
  type ServiceHealthSignal,
  type ServiceHealthThresholds,
  type ServiceHealthThresholdsInput,
  type ServiceWindowStats,
} from './service-health.ts';
