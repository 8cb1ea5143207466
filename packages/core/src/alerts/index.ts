export { alertKeyId, type AlertKey, type AlertKind } from './alert-key.ts';
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
