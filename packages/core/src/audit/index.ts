export { AUDIT_CURSOR, MAX_AUDIT_PAGE, auditResult, isAudited, type AuditLog, type AuditPage, type AuditQuery, type AuditRecord } from './audit.ts';
