/** The four built-in event types of contract version 1 (shared/contracts/events.md). */
import type { EventTypeSpec, FieldSpec } from './field-spec.js';

const id = (name: string, description: string, required: FieldSpec['required'] = true): FieldSpec => ({
  name, kind: 'string', required, minLength: 1, description,
});
const optionalText = (name: string, description: string, maxLength?: number): FieldSpec => ({
  name, kind: 'string', required: false, description, ...(maxLength === undefined ? {} : { maxLength }),
});
const oneOf = (name: string, values: readonly string[], description: string, required = true): FieldSpec => ({
  name, kind: 'string', required, enum: values, description,
});

export const TRANSACTION_V1: EventTypeSpec = {
  type: 'transaction',
  version: 1,
  table: 'transactions',
  description: 'A payment attempt and its outcome.',
  origin: 'built-in',
  fields: [
    id('transaction_id', 'Transaction identifier.'),
    id('account_id', 'Account charged or credited.'),
    id('customer_id', 'Customer owning the account.'),
    id('merchant_id', 'Merchant; required for every channel but `transfer`.', { unlessField: 'channel', in: ['transfer'] }),
    { name: 'merchant_category', kind: 'string', required: false, format: 'mcc', description: '4-digit ISO 18245 merchant category code.' },
    { name: 'amount', kind: 'decimal', required: true, minimum: 0, decimalsOfCurrencyField: 'currency', description: 'Amount in `currency`; stored as DECIMAL(18,4).' },
    { name: 'currency', kind: 'string', required: true, format: 'currency', description: 'ISO 4217 alphabetic code.' },
    oneOf('status', ['authorized', 'captured', 'declined', 'refunded', 'reversed'], 'Outcome of the transaction.'),
    oneOf('channel', ['card_present', 'ecommerce', 'transfer', 'atm'], 'How the payment was made.'),
    { name: 'country', kind: 'string', required: true, format: 'country', description: 'ISO 3166-1 alpha-2 country.' },
    optionalText('city', 'City, when known.'),
    { name: 'lat', kind: 'number', required: false, minimum: -90, maximum: 90, description: 'Latitude.' },
    { name: 'lon', kind: 'number', required: false, minimum: -180, maximum: 180, description: 'Longitude.' },
    { name: 'ip', kind: 'string', required: false, format: 'ip', description: 'Client IPv4 or IPv6 address.' },
    optionalText('device_id', 'Device fingerprint.'),
  ],
};

export const FRAUD_DETECTION_V1: EventTypeSpec = {
  type: 'fraud_detection',
  version: 1,
  table: 'fraud_detections',
  description: 'A fraud model score and decision for one transaction.',
  origin: 'built-in',
  fields: [
    id('detection_id', 'Detection identifier.'),
    id('transaction_id', 'The transaction that was scored.'),
    id('account_id', 'Account of the transaction.'),
    { name: 'score', kind: 'number', required: true, minimum: 0, maximum: 1, description: 'Fraud probability, 0..1.' },
    oneOf('decision', ['approve', 'review', 'decline'], 'Decision taken.'),
    { name: 'rules_triggered', kind: 'string_array', required: false, description: 'Rules that fired.' },
    optionalText('model_version', 'Model version that scored.'),
    oneOf('label', ['fraud', 'legit'], 'Ground truth set later by investigators.', false),
  ],
};

export const SECURITY_ALERT_V1: EventTypeSpec = {
  type: 'security_alert',
  version: 1,
  table: 'security_alerts',
  description: 'A security signal from authentication and monitoring services.',
  origin: 'built-in',
  fields: [
    id('alert_id', 'Alert identifier.'),
    oneOf('severity', ['low', 'medium', 'high', 'critical'], 'Severity.'),
    oneOf('category', ['failed_login', 'credential_stuffing', 'impossible_travel', 'new_device', 'privilege_escalation', 'malware', 'data_exfiltration', 'other'], 'Kind of alert.'),
    optionalText('account_id', 'Account concerned.'),
    optionalText('user_id', 'User concerned.'),
    { name: 'ip', kind: 'string', required: false, format: 'ip', description: 'Source IPv4 or IPv6 address.' },
    { name: 'country', kind: 'string', required: false, format: 'country', description: 'ISO 3166-1 alpha-2 country.' },
    optionalText('description', 'Free text, at most 2,000 characters.', 2000),
  ],
};

export const NOTIFICATION_V1: EventTypeSpec = {
  type: 'notification',
  version: 1,
  table: 'notifications',
  description: 'A message sent to a customer and its delivery state.',
  origin: 'built-in',
  fields: [
    id('notification_id', 'Notification identifier.'),
    id('customer_id', 'Recipient.'),
    oneOf('channel', ['email', 'sms', 'push', 'webhook'], 'Delivery channel.'),
    id('template', 'Template name.'),
    oneOf('status', ['queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked'], 'Delivery state.'),
    optionalText('provider', 'Delivery provider.'),
    { name: 'latency_ms', kind: 'integer', required: false, minimum: 0, description: 'Time to deliver, in milliseconds.' },
    optionalText('related_event_id', 'The event that caused it.'),
  ],
};

export const BUILTIN_TYPES: readonly EventTypeSpec[] = [TRANSACTION_V1, FRAUD_DETECTION_V1, SECURITY_ALERT_V1, NOTIFICATION_V1];
