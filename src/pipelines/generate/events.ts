/**
 * The shapes of the four built-in event types (docs: shared/contracts/events.md, version 1) as
 * the generator writes them. Optional fields are always present on the object and `undefined`
 * when absent, so every event of a type has one hidden class and JSON.stringify drops the gaps.
 */

export type EventTypeName = 'transaction' | 'fraud_detection' | 'security_alert' | 'notification';

/** All built-in event types, in the order used for counts and CSV columns. */
export const EVENT_TYPES: readonly EventTypeName[] = ['transaction', 'fraud_detection', 'security_alert', 'notification'];

/** The producing service of each type (the envelope's `source`). */
export const SOURCES: Readonly<Record<EventTypeName, string>> = {
  transaction: 'payments-api',
  fraud_detection: 'fraud-engine',
  security_alert: 'auth-service',
  notification: 'notifier',
};

export const TRANSACTION_STATUSES = ['authorized', 'captured', 'declined', 'refunded', 'reversed'] as const;
export const TRANSACTION_CHANNELS = ['card_present', 'ecommerce', 'transfer', 'atm'] as const;
export const DECISIONS = ['approve', 'review', 'decline'] as const;
export const LABELS = ['fraud', 'legit'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const ALERT_CATEGORIES = [
  'failed_login', 'credential_stuffing', 'impossible_travel', 'new_device',
  'privilege_escalation', 'malware', 'data_exfiltration', 'other',
] as const;
export const NOTIFICATION_CHANNELS = ['email', 'sms', 'push', 'webhook'] as const;
export const NOTIFICATION_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked'] as const;

export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
export type TransactionChannel = (typeof TRANSACTION_CHANNELS)[number];
export type Decision = (typeof DECISIONS)[number];
export type Label = (typeof LABELS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export interface TransactionData {
  transaction_id: string;
  account_id: string;
  customer_id: string;
  merchant_id: string | undefined;
  merchant_category: string | undefined;
  amount: string;
  currency: string;
  status: TransactionStatus;
  channel: TransactionChannel;
  country: string;
  city: string | undefined;
  lat: number | undefined;
  lon: number | undefined;
  ip: string | undefined;
  device_id: string | undefined;
}

export interface FraudDetectionData {
  detection_id: string;
  transaction_id: string;
  account_id: string;
  score: number;
  decision: Decision;
  rules_triggered: string[] | undefined;
  model_version: string | undefined;
  label: Label | undefined;
}

export interface SecurityAlertData {
  alert_id: string;
  severity: Severity;
  category: AlertCategory;
  account_id: string | undefined;
  user_id: string | undefined;
  ip: string | undefined;
  country: string | undefined;
  description: string | undefined;
}

export interface NotificationData {
  notification_id: string;
  customer_id: string;
  channel: NotificationChannel;
  template: string;
  status: NotificationStatus;
  provider: string | undefined;
  latency_ms: number | undefined;
  related_event_id: string | undefined;
}

export interface DataByType {
  transaction: TransactionData;
  fraud_detection: FraudDetectionData;
  security_alert: SecurityAlertData;
  notification: NotificationData;
}

/** One event as written: the envelope and its payload. */
export interface GeneratedEvent<T extends EventTypeName = EventTypeName> {
  id: string;
  type: T;
  version: number;
  occurred_at: string;
  source: string;
  trace_id: string | undefined;
  data: DataByType[T];
}

/** Required `data` fields of each type, per the contract. */
export const REQUIRED_DATA_FIELDS: Readonly<Record<EventTypeName, readonly string[]>> = {
  transaction: ['transaction_id', 'account_id', 'customer_id', 'amount', 'currency', 'status', 'channel', 'country'],
  fraud_detection: ['detection_id', 'transaction_id', 'account_id', 'score', 'decision'],
  security_alert: ['alert_id', 'severity', 'category'],
  notification: ['notification_id', 'customer_id', 'channel', 'template', 'status'],
};

/** Every `data` field of each type, in contract order. */
export const DATA_FIELDS: Readonly<Record<EventTypeName, readonly string[]>> = {
  transaction: [
    'transaction_id', 'account_id', 'customer_id', 'merchant_id', 'merchant_category', 'amount', 'currency',
    'status', 'channel', 'country', 'city', 'lat', 'lon', 'ip', 'device_id',
  ],
  fraud_detection: ['detection_id', 'transaction_id', 'account_id', 'score', 'decision', 'rules_triggered', 'model_version', 'label'],
  security_alert: ['alert_id', 'severity', 'category', 'account_id', 'user_id', 'ip', 'country', 'description'],
  notification: ['notification_id', 'customer_id', 'channel', 'template', 'status', 'provider', 'latency_ms', 'related_event_id'],
};
