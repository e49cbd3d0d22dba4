// The record of what left the machine (audit log) and of what every model call used (usage ledger).
export type { AuditEntry, AuditSink, AuditedFile, EgressConsent, EgressOutcome, EgressRecord, EgressStatus } from "./auditEntry";
export { AuditLog, AUDIT_FILE_NAME, type AuditLogOptions, type AuditReadResult } from "./auditLog";
export { UsageLedger, USAGE_FILE_NAME, type UsageEvent, type UsageSink, type UsageBucket, type UsageTally, type UsageTotals, type TallyOptions, type UsageLedgerOptions } from "./usageLedger";
export { DEFAULT_PRICES, DEFAULT_AVOIDED_AT, priceFor, costUsd, parsePriceTable, type PriceTable, type PriceTableParse, type TokenPrice } from "./prices";
