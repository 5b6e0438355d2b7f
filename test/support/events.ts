/**
 * Small, valid events of the four built-in types (shared/contracts/events.md, version 1), built
 * by hand so that end-to-end tests do not depend on `analytics generate`.
 */

export type EventType = 'transaction' | 'fraud_detection' | 'security_alert' | 'notification';

export interface TestEvent {
  id: string;
  type: EventType;
  version: number;
  occurred_at: string;
  source: string;
  data: Record<string, unknown>;
  trace_id?: string;
}

/** The lake table each type is stored in. */
export const TABLE_OF: Record<EventType, string> = {
  transaction: 'transactions',
  fraud_detection: 'fraud_detections',
  security_alert: 'security_alerts',
  notification: 'notifications',
};

const envelope = (id: string, type: EventType, n: number, source: string) => ({
  id,
  type,
  version: 1,
  // An offset other than Z, so that the UTC conversion is exercised too.
  occurred_at: `2026-11-25T${String(10 + (n % 10)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}:00.123+01:00`,
  source,
});

export function transactionEvent(id: string, n = 0): TestEvent {
  return {
    ...envelope(id, 'transaction', n, 'payments-api'),
    data: {
      transaction_id: `txn-${id}`,
      account_id: `acc-${n % 5}`,
      customer_id: `cus-${n % 5}`,
      merchant_id: `mer-${n % 3}`,
      merchant_category: '5411',
      amount: `${10 + n}.50`,
      currency: 'EUR',
      status: 'captured',
      channel: 'ecommerce',
      country: 'DE',
      city: 'Berlin',
    },
  };
}

export function fraudDetectionEvent(id: string, n = 0): TestEvent {
  return {
    ...envelope(id, 'fraud_detection', n, 'fraud-scorer'),
    data: {
      detection_id: `det-${id}`,
      transaction_id: `txn-${n}`,
      account_id: `acc-${n % 5}`,
      score: 0.12,
      decision: 'approve',
      rules_triggered: ['velocity'],
      model_version: 'v3',
    },
  };
}

export function securityAlertEvent(id: string, n = 0): TestEvent {
  return {
    ...envelope(id, 'security_alert', n, 'auth-service'),
    data: { alert_id: `alr-${id}`, severity: 'high', category: 'failed_login', account_id: `acc-${n % 5}`, ip: '192.0.2.10', country: 'FR' },
  };
}

export function notificationEvent(id: string, n = 0): TestEvent {
  return {
    ...envelope(id, 'notification', n, 'notifier'),
    data: { notification_id: `ntf-${id}`, customer_id: `cus-${n % 5}`, channel: 'email', template: 'receipt', status: 'delivered', latency_ms: 120 },
  };
}

const BUILDERS = [transactionEvent, fraudDetectionEvent, securityAlertEvent, notificationEvent];

/** `count` events cycling through the four types, with ids `${prefix}-0`, `${prefix}-1`, … */
export function mixedEvents(prefix: string, count: number): TestEvent[] {
  return Array.from({ length: count }, (_, n) => BUILDERS[n % BUILDERS.length]!(`${prefix}-${n}`, n));
}

/** `count` transactions with ids `${prefix}-0`, `${prefix}-1`, … */
export function transactions(prefix: string, count: number): TestEvent[] {
  return Array.from({ length: count }, (_, n) => transactionEvent(`${prefix}-${n}`, n));
}

export function toNdjson(events: readonly TestEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}

/** How many events of each table a list holds. */
export function countByTable(events: readonly TestEvent[]): Record<string, number> {
  const counts: Record<string, number> = { transactions: 0, fraud_detections: 0, security_alerts: 0, notifications: 0 };
  for (const event of events) counts[TABLE_OF[event.type]] = (counts[TABLE_OF[event.type]] ?? 0) + 1;
  return counts;
}

/** CSV with the contract's dotted column names (`data.amount`); arrays as JSON text. */
export function toCsv(events: readonly TestEvent[]): string {
  const envelopeColumns = ['id', 'type', 'version', 'occurred_at', 'source'];
  const dataColumns = [...new Set(events.flatMap((event) => Object.keys(event.data)))];
  const cell = (value: unknown): string => {
    if (value === undefined || value === null) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const header = [...envelopeColumns, ...dataColumns.map((name) => `data.${name}`)].join(',');
  const rows = events.map((event) => [
    ...envelopeColumns.map((name) => cell((event as unknown as Record<string, unknown>)[name])),
    ...dataColumns.map((name) => cell(event.data[name])),
  ].join(','));
  return `${[header, ...rows].join('\n')}\n`;
}
