/**
 * Malformed records: one named kind for every way the contract (shared/contracts/events.md)
 * rejects a record. Each bad record starts as a valid event and has exactly one thing broken,
 * so a validator that reports the right reason can be checked against the ground truth.
 */
import type { EventTypeName, GeneratedEvent } from './events.js';
import { REQUIRED_DATA_FIELDS } from './events.js';
import { randomId } from './ids.js';
import type { Prng } from './prng.js';
import { withoutOffset } from './timestamps.js';

/** What is broken, with the event type the kind applies to (null: any type). */
const KINDS = {
  not_json: [null, 'The line is not valid JSON (truncated).'],
  json_not_object: [null, 'The line is valid JSON but not an object.'],
  missing_id: [null, 'The envelope has no id.'],
  missing_type: [null, 'The envelope has no type.'],
  missing_version: [null, 'The envelope has no version.'],
  missing_occurred_at: [null, 'The envelope has no occurred_at.'],
  missing_source: [null, 'The envelope has no source.'],
  missing_data: [null, 'The envelope has no data.'],
  empty_id: [null, 'id is an empty string.'],
  id_too_long: [null, 'id is longer than 128 characters.'],
  unknown_type: [null, 'type is not a known event type.'],
  unknown_version: [null, 'version is not a known schema version (99).'],
  version_not_integer: [null, 'version is not an integer.'],
  version_below_one: [null, 'version is below 1.'],
  occurred_at_no_offset: [null, 'occurred_at has no UTC offset.'],
  occurred_at_not_date: [null, 'occurred_at is not an RFC 3339 date-time.'],
  source_empty: [null, 'source is an empty string.'],
  source_too_long: [null, 'source is longer than 64 characters.'],
  data_not_object: [null, 'data is not an object.'],
  transaction_missing_field: ['transaction', 'A required transaction field is missing.'],
  fraud_detection_missing_field: ['fraud_detection', 'A required fraud_detection field is missing.'],
  security_alert_missing_field: ['security_alert', 'A required security_alert field is missing.'],
  notification_missing_field: ['notification', 'A required notification field is missing.'],
  merchant_id_missing: ['transaction', 'merchant_id is missing on a card_present transaction.'],
  wrong_type_number_for_string: [null, 'A string field holds a number.'],
  wrong_type_string_for_number: [null, 'A number field holds a string.'],
  transaction_status_invalid: ['transaction', 'status is not a transaction status.'],
  transaction_channel_invalid: ['transaction', 'channel is not a transaction channel.'],
  fraud_decision_invalid: ['fraud_detection', 'decision is not approve, review or decline.'],
  fraud_label_invalid: ['fraud_detection', 'label is not fraud or legit.'],
  alert_severity_invalid: ['security_alert', 'severity is not low, medium, high or critical.'],
  alert_category_invalid: ['security_alert', 'category is not a security alert category.'],
  notification_channel_invalid: ['notification', 'channel is not email, sms, push or webhook.'],
  notification_status_invalid: ['notification', 'status is not a notification status.'],
  amount_negative: ['transaction', 'amount is negative.'],
  amount_too_many_decimals: ['transaction', 'amount has 3 decimals in a 2-decimal currency.'],
  amount_not_a_number: ['transaction', 'amount is not a decimal number.'],
  currency_invalid: ['transaction', 'currency is not an ISO 4217 code.'],
  country_invalid: ['transaction', 'country is not an ISO 3166-1 alpha-2 code.'],
  lat_out_of_range: ['transaction', 'lat is outside −90..90.'],
  lon_out_of_range: ['transaction', 'lon is outside −180..180.'],
  ip_invalid: ['transaction', 'ip is not an IPv4 or IPv6 address.'],
  merchant_category_invalid: ['transaction', 'merchant_category is not a 4-digit MCC.'],
  score_out_of_range: ['fraud_detection', 'score is outside 0..1.'],
  rules_triggered_not_string_array: ['fraud_detection', 'rules_triggered is not an array of strings.'],
  description_too_long: ['security_alert', 'description is longer than 2,000 characters.'],
  latency_negative: ['notification', 'latency_ms is negative.'],
  latency_not_integer: ['notification', 'latency_ms is not an integer.'],
} as const satisfies Record<string, readonly [EventTypeName | null, string]>;

/** The name of a kind of malformed record. */
export type BadKind = keyof typeof KINDS;

/** Every kind, in the order the generator cycles through them. */
export const BAD_KINDS: readonly BadKind[] = Object.keys(KINDS) as BadKind[];

/** One line per kind: what is wrong. */
export const BAD_KIND_REASONS: Readonly<Record<BadKind, string>> = Object.fromEntries(
  BAD_KINDS.map((kind) => [kind, KINDS[kind][1]]),
) as Record<BadKind, string>;

/** The event type a kind needs as its base, or null when any type will do. */
export function badKindEventType(kind: BadKind): EventTypeName | null {
  return KINDS[kind][0];
}

/** A malformed record: its line, its type if the line still names a valid one, and why it is bad. */
export interface BadRecord {
  line: string;
  type: EventTypeName | null;
  reason: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mutable = Record<string, unknown> & { data: Record<string, unknown> };

/** How often each kind has been made in one run: kinds cycle through their variants with it. */
export type VariantCounters = Map<BadKind, number>;

function variant<T>(counters: VariantCounters, kind: BadKind, options: readonly T[]): T {
  const n = counters.get(kind) ?? 0;
  counters.set(kind, n + 1);
  return options[n % options.length]!;
}

/**
 * Breaks a valid event (of the type badKindEventType(kind) asks for) in the way `kind` names.
 * `counters` lives as long as one generation run, so every variant of a kind appears in turn.
 * `at` is the event's time (epoch ms).
 */
export function makeBadRecord(kind: BadKind, base: GeneratedEvent, at: number, prng: Prng, counters: VariantCounters): BadRecord {
  const event = JSON.parse(JSON.stringify(base)) as Mutable;
  const type: EventTypeName = base.type;
  const data = event.data;
  const done = (reason: string, keepsType = true): BadRecord => ({ line: JSON.stringify(event), type: keepsType ? type : null, reason });

  switch (kind) {
    case 'not_json': {
      const text = JSON.stringify(event);
      const cut = Math.floor(text.length * (0.2 + 0.6 * prng.float()));
      return { line: text.slice(0, cut), type: null, reason: `line is truncated JSON (${cut} of ${text.length} characters)` };
    }
    case 'json_not_object': {
      const shape = variant(counters, kind, ['array', 'string', 'number', 'null', 'boolean'] as const);
      const values: Record<typeof shape, Json> = { array: [event as Json], string: 'transaction', number: 42, null: null, boolean: true };
      return { line: JSON.stringify(values[shape]), type: null, reason: `line is a JSON ${shape}, not an object` };
    }
    case 'missing_id':
    case 'missing_type':
    case 'missing_version':
    case 'missing_occurred_at':
    case 'missing_source':
    case 'missing_data': {
      const field = kind.slice('missing_'.length);
      delete event[field];
      return done(`${field} is missing`, field !== 'type');
    }
    case 'empty_id':
      event.id = '';
      return done('id is empty');
    case 'id_too_long':
      event.id = randomId(prng, 'evt_', 30) + 'x'.repeat(prng.between(96, 160));
      return done(`id has ${(event.id as string).length} characters (at most 128)`);
    case 'unknown_type': {
      const name = variant(counters, kind, ['payment_intent', 'Transaction', 'chargeback', 'audit_log']);
      event.type = name;
      return done(`type "${name}" is not a known event type`, false);
    }
    case 'unknown_version':
      event.version = 99;
      return done('version 99 is not known');
    case 'version_not_integer':
      event.version = 1.5;
      return done('version 1.5 is not an integer');
    case 'version_below_one':
      event.version = variant(counters, kind, [0, -1]);
      return done(`version ${String(event.version)} is below 1`);
    case 'occurred_at_no_offset':
      event.occurred_at = withoutOffset(at);
      return done(`occurred_at "${String(event.occurred_at)}" has no offset`);
    case 'occurred_at_not_date': {
      const value = variant(counters, kind, ['yesterday', '2026-13-45T25:61:00Z', String(at), '2026-02-30T10:00:00Z', '']);
      event.occurred_at = value;
      return done(`occurred_at "${value}" is not an RFC 3339 date-time`);
    }
    case 'source_empty':
      event.source = '';
      return done('source is empty');
    case 'source_too_long':
      event.source = `${String(event.source)}-${'eu-west-1-'.repeat(7)}canary`;
      return done(`source has ${(event.source as string).length} characters (at most 64)`);
    case 'data_not_object': {
      const shape = variant(counters, kind, ['array', 'string', 'null'] as const);
      const values: Record<typeof shape, Json> = { array: [data as Json], string: JSON.stringify(data), null: null };
      event.data = values[shape] as never;
      return done(`data is ${shape === 'null' ? 'null' : `a ${shape}`}, not an object`);
    }
    case 'transaction_missing_field':
    case 'fraud_detection_missing_field':
    case 'security_alert_missing_field':
    case 'notification_missing_field': {
      const field = variant(counters, kind, REQUIRED_DATA_FIELDS[type]);
      delete data[field];
      return done(`data.${field} is missing`);
    }
    case 'merchant_id_missing':
      data.channel = 'card_present';
      delete data.merchant_id;
      return done('data.merchant_id is missing for channel card_present');
    case 'wrong_type_number_for_string': {
      const field = { transaction: 'account_id', fraud_detection: 'transaction_id', security_alert: 'alert_id', notification: 'customer_id' }[type];
      data[field] = prng.between(10_000_000, 99_999_999);
      return done(`data.${field} is a number, expected a string`);
    }
    case 'wrong_type_string_for_number': {
      if (type === 'security_alert') {
        event.version = '1';
        return done('version is a string, expected an integer');
      }
      const field = { transaction: 'lat', fraud_detection: 'score', notification: 'latency_ms' }[type];
      const current = data[field];
      data[field] = String(typeof current === 'number' ? current : field === 'lat' ? 51.5074 : 250);
      return done(`data.${field} is a string, expected a number`);
    }
    case 'transaction_status_invalid':
      return enumViolation(event, 'status', variant(counters, kind, ['approved', 'settled', 'pending', 'chargeback']), done);
    case 'transaction_channel_invalid':
      return enumViolation(event, 'channel', variant(counters, kind, ['pos', 'online', 'wire', 'mobile_wallet']), done);
    case 'fraud_decision_invalid':
      return enumViolation(event, 'decision', variant(counters, kind, ['reject', 'allow', 'manual_review']), done);
    case 'fraud_label_invalid':
      return enumViolation(event, 'label', variant(counters, kind, ['suspicious', 'unknown', 'chargeback']), done);
    case 'alert_severity_invalid':
      return enumViolation(event, 'severity', variant(counters, kind, ['info', 'warning', 'severe', 'urgent']), done);
    case 'alert_category_invalid':
      return enumViolation(event, 'category', variant(counters, kind, ['brute_force', 'phishing', 'ddos']), done);
    case 'notification_channel_invalid':
      return enumViolation(event, 'channel', variant(counters, kind, ['fax', 'letter', 'whatsapp']), done);
    case 'notification_status_invalid':
      return enumViolation(event, 'status', variant(counters, kind, ['pending', 'rejected', 'read']), done);
    case 'amount_negative':
      data.amount = '-' + String(data.amount);
      return done(`data.amount ${String(data.amount)} is negative`);
    case 'amount_too_many_decimals': {
      // A 2-decimal currency whatever the base had: the rule is about 2-decimal currencies.
      data.currency = 'USD';
      data.country = 'US';
      const value = `${prng.between(1, 499)}.${String(prng.between(0, 99)).padStart(2, '0')}${prng.between(1, 9)}`;
      data.amount = value;
      return done(`data.amount ${value} has 3 decimals; USD has 2`);
    }
    case 'amount_not_a_number': {
      const value = variant(counters, kind, ['12,50', 'twelve', '1.2.3', '', '0x1F', 'NaN']);
      data.amount = value;
      return done(`data.amount "${value}" is not a decimal number`);
    }
    case 'currency_invalid': {
      const value = variant(counters, kind, ['EURO', 'ABC', 'US$', '978']);
      data.currency = value;
      return done(`data.currency "${value}" is not an ISO 4217 code`);
    }
    case 'country_invalid': {
      const value = variant(counters, kind, ['GBR', 'Germany', 'U5', '']);
      data.country = value;
      return done(`data.country "${value}" is not an ISO 3166-1 alpha-2 code`);
    }
    case 'lat_out_of_range': {
      const value = variant(counters, kind, [91.2, -95.5, 123.45]);
      data.lat = value;
      if (typeof data.lon !== 'number') data.lon = 0.5;
      return done(`data.lat ${value} is outside -90..90`);
    }
    case 'lon_out_of_range': {
      const value = variant(counters, kind, [181.5, -200.25, 360]);
      data.lon = value;
      if (typeof data.lat !== 'number') data.lat = 10.5;
      return done(`data.lon ${value} is outside -180..180`);
    }
    case 'ip_invalid': {
      const value = variant(counters, kind, ['256.10.1.1', '10.0.0', '192.168.1.1.5', 'fe80:::1', 'not-an-ip', '2001:db8::g1']);
      data.ip = value;
      return done(`data.ip "${value}" is not an IPv4 or IPv6 address`);
    }
    case 'merchant_category_invalid': {
      const value = variant(counters, kind, ['541', '54111', 'ABCD', '54a1']);
      data.channel = 'card_present';
      if (typeof data.merchant_id !== 'string') data.merchant_id = randomId(prng, 'mer_', 12);
      data.merchant_category = value;
      return done(`data.merchant_category "${value}" is not a 4-digit code`);
    }
    case 'score_out_of_range': {
      const value = variant(counters, kind, [1.25, -0.1, 87]);
      data.score = value;
      return done(`data.score ${value} is outside 0..1`);
    }
    case 'rules_triggered_not_string_array': {
      const shape = variant(counters, kind, ['string', 'numbers', 'mixed', 'object'] as const);
      const values: Record<typeof shape, Json> = {
        string: 'velocity_1h',
        numbers: [1, 2],
        mixed: ['velocity_1h', 42],
        object: { rule: 'velocity_1h' },
      };
      data.rules_triggered = values[shape];
      return done(`data.rules_triggered is ${shape === 'string' ? 'a string' : shape === 'object' ? 'an object' : 'an array with non-strings'}`);
    }
    case 'description_too_long': {
      const sentence = 'Repeated authentication failures were observed across many sessions. ';
      const length = prng.between(2_001, 2_600);
      data.description = sentence.repeat(Math.ceil(length / sentence.length)).slice(0, length);
      return done(`data.description has ${length} characters (at most 2000)`);
    }
    case 'latency_negative': {
      const value = -prng.between(1, 5_000);
      data.latency_ms = value;
      return done(`data.latency_ms ${value} is negative`);
    }
    case 'latency_not_integer': {
      const value = prng.between(100, 9_999) + 0.5;
      data.latency_ms = value;
      return done(`data.latency_ms ${value} is not an integer`);
    }
  }
}

function enumViolation(
  event: Mutable,
  field: string,
  value: string,
  done: (reason: string) => BadRecord,
): BadRecord {
  event.data[field] = value;
  return done(`data.${field} "${value}" is not an allowed value`);
}
