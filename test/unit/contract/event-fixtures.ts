/**
 * Valid events of each built-in type, and assertions on validation results, shared by the
 * contract tests. Tests start from a valid event and break one thing at a time.
 */
import { expect } from 'vitest';
import type { CheckedRecord } from '../../../src/contract/validate.js';

export type BuiltinType = 'transaction' | 'fraud_detection' | 'security_alert' | 'notification';

/** A valid `data` payload per built-in type, with every optional field set. */
export const VALID_DATA: Record<BuiltinType, Record<string, unknown>> = {
  transaction: {
    transaction_id: 'tx-1',
    account_id: 'acc-1',
    customer_id: 'cus-1',
    merchant_id: 'mer-1',
    merchant_category: '5411',
    amount: 12.5,
    currency: 'EUR',
    status: 'captured',
    channel: 'card_present',
    country: 'DE',
    city: 'Berlin',
    lat: 52.52,
    lon: 13.405,
    ip: '192.168.0.1',
    device_id: 'dev-1',
  },
  fraud_detection: {
    detection_id: 'det-1',
    transaction_id: 'tx-1',
    account_id: 'acc-1',
    score: 0.87,
    decision: 'review',
    rules_triggered: ['velocity', 'geo_mismatch'],
    model_version: 'm-2026.11',
    label: 'fraud',
  },
  security_alert: {
    alert_id: 'al-1',
    severity: 'high',
    category: 'impossible_travel',
    account_id: 'acc-1',
    user_id: 'usr-1',
    ip: '2001:db8::1',
    country: 'FR',
    description: 'Login from two continents within ten minutes.',
  },
  notification: {
    notification_id: 'not-1',
    customer_id: 'cus-1',
    channel: 'email',
    template: 'payment_receipt',
    status: 'delivered',
    provider: 'smtp-eu',
    latency_ms: 250,
    related_event_id: 'evt-0',
  },
};

/** The envelope of every test event; `data` and overrides are added by `eventJson`. */
export const VALID_ENVELOPE = {
  id: 'evt-1',
  version: 1,
  occurred_at: '2026-11-25T18:00:00.123+01:00',
  source: 'payments-api',
  trace_id: 'trace-1',
};

/**
 * One event as JSON text. A key set to `undefined` in `envelope` is left out (JSON.stringify
 * drops it), which is how tests make a field missing.
 */
export function eventJson(type: unknown, data: unknown, envelope: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...VALID_ENVELOPE, type, data, ...envelope });
}

/** A built-in event whose `data` is the valid payload with `changes` applied (`undefined` removes a field). */
export function withData(type: BuiltinType, changes: Record<string, unknown>, envelope: Record<string, unknown> = {}): string {
  return eventJson(type, { ...VALID_DATA[type], ...changes }, envelope);
}

/** The dotted field path a reason starts with (`data.amount: …` → `data.amount`). */
export function reasonPath(reason: string): string {
  return reason.slice(0, reason.indexOf(': '));
}

/** Asserts the record is valid: no reasons and a target table. */
export function expectValid(record: CheckedRecord, table: string): void {
  expect(record.reasons).toEqual([]);
  expect(record.table).toBe(table);
}

/**
 * Asserts the record's reasons are exactly these, in order: each `[path, fragment]` is a reason
 * that starts with `path: ` and contains `fragment`.
 */
export function expectReasons(record: CheckedRecord, expected: readonly (readonly [path: string, fragment: string])[]): void {
  expect(record.reasons, JSON.stringify(record.reasons)).toHaveLength(expected.length);
  expected.forEach(([path, fragment], index) => {
    const reason = record.reasons[index] ?? '';
    expect(reason.startsWith(`${path}: `), `reason ${index} "${reason}" should start with "${path}: "`).toBe(true);
    expect(reason).toContain(fragment);
  });
}

/** Asserts the record is rejected with exactly one reason, on `path`, containing `fragment`. */
export function expectRejected(record: CheckedRecord, path: string, fragment: string): void {
  expectReasons(record, [[path, fragment]]);
}
