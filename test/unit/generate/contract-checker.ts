/**
 * A small, strict checker of the event contract (shared/contracts/events.md, version 1), written
 * for these tests independently of the generator: its enums and rules are spelled out here, and
 * only the ISO code lists come from the shared reference data.
 */
import { isIP } from 'node:net';
import { COUNTRY_BY_CODE } from '../../../src/reference/countries.js';
import { CURRENCY_BY_CODE } from '../../../src/reference/currencies.js';

const TYPES = new Set(['transaction', 'fraud_detection', 'security_alert', 'notification']);
const TX_STATUS = new Set(['authorized', 'captured', 'declined', 'refunded', 'reversed']);
const TX_CHANNEL = new Set(['card_present', 'ecommerce', 'transfer', 'atm']);
const DECISION = new Set(['approve', 'review', 'decline']);
const LABEL = new Set(['fraud', 'legit']);
const SEVERITY = new Set(['low', 'medium', 'high', 'critical']);
const CATEGORY = new Set([
  'failed_login', 'credential_stuffing', 'impossible_travel', 'new_device',
  'privilege_escalation', 'malware', 'data_exfiltration', 'other',
]);
const N_CHANNEL = new Set(['email', 'sms', 'push', 'webhook']);
const N_STATUS = new Set(['queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked']);

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;
const DECIMAL = /^\d+(?:\.(\d+))?$/;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validTimestamp(value: string): boolean {
  const match = RFC3339.exec(value);
  if (match === null) return false;
  const [, y, mo, d, h, mi, s, , , oh, om] = match;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCDate() === day && probe.getUTCMonth() === month - 1;
}

/** Problems with one record line; an empty list means the record is valid. */
export function checkRecord(line: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return ['not JSON'];
  }
  if (!isObject(parsed)) return ['not an object'];
  const problems: string[] = [];
  const e = parsed;
  const str = (obj: Obj, field: string, path: string, required: boolean, max = Infinity): string | undefined => {
    const value = obj[field];
    if (value === undefined) {
      if (required) problems.push(`${path} missing`);
      return undefined;
    }
    if (typeof value !== 'string') {
      problems.push(`${path} not a string`);
      return undefined;
    }
    if (required && value.length === 0) problems.push(`${path} empty`);
    if (value.length > max) problems.push(`${path} too long`);
    return value;
  };
  const oneOf = (obj: Obj, field: string, path: string, allowed: Set<string>, required: boolean) => {
    const value = str(obj, field, path, required);
    if (value !== undefined && !allowed.has(value)) problems.push(`${path} not allowed: ${value}`);
    return value;
  };
  const number = (obj: Obj, field: string, path: string, required: boolean, min: number, max: number, integer = false) => {
    const value = obj[field];
    if (value === undefined) {
      if (required) problems.push(`${path} missing`);
      return;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${path} not a number`);
    else if (integer && !Number.isInteger(value)) problems.push(`${path} not an integer`);
    else if (value < min || value > max) problems.push(`${path} out of range`);
  };
  const ip = (obj: Obj, field: string, path: string) => {
    const value = str(obj, field, path, false);
    if (value !== undefined && isIP(value) === 0) problems.push(`${path} not an IP`);
  };
  const country = (obj: Obj, field: string, path: string, required: boolean) => {
    const value = str(obj, field, path, required);
    if (value !== undefined && !COUNTRY_BY_CODE.has(value)) problems.push(`${path} not ISO 3166-1 alpha-2`);
  };

  str(e, 'id', 'id', true, 128);
  const type = oneOf(e, 'type', 'type', TYPES, true);
  if (e.version === undefined) problems.push('version missing');
  else if (!Number.isInteger(e.version)) problems.push('version not an integer');
  else if (e.version !== 1) problems.push('version unknown');
  const at = str(e, 'occurred_at', 'occurred_at', true);
  if (at !== undefined && !validTimestamp(at)) problems.push('occurred_at not RFC 3339 with offset');
  str(e, 'source', 'source', true, 64);
  str(e, 'trace_id', 'trace_id', false);
  if (e.data === undefined) {
    problems.push('data missing');
    return problems;
  }
  if (!isObject(e.data)) {
    problems.push('data not an object');
    return problems;
  }
  const d = e.data;
  switch (type) {
    case 'transaction': {
      str(d, 'transaction_id', 'data.transaction_id', true);
      str(d, 'account_id', 'data.account_id', true);
      str(d, 'customer_id', 'data.customer_id', true);
      const channel = oneOf(d, 'channel', 'data.channel', TX_CHANNEL, true);
      str(d, 'merchant_id', 'data.merchant_id', channel !== undefined && channel !== 'transfer');
      const mcc = str(d, 'merchant_category', 'data.merchant_category', false);
      if (mcc !== undefined && !/^\d{4}$/.test(mcc)) problems.push('data.merchant_category not 4 digits');
      const currencyCode = str(d, 'currency', 'data.currency', true);
      const currency = currencyCode === undefined ? undefined : CURRENCY_BY_CODE.get(currencyCode);
      if (currencyCode !== undefined && currency === undefined) problems.push('data.currency not ISO 4217');
      const amount = d.amount;
      if (amount === undefined) problems.push('data.amount missing');
      else if (typeof amount === 'string') {
        const match = DECIMAL.exec(amount);
        if (match === null) problems.push('data.amount not a non-negative decimal');
        else if (currency !== undefined && currency.decimals === 2 && (match[1]?.length ?? 0) > 2) problems.push('data.amount too many decimals');
      } else if (typeof amount === 'number') {
        if (!Number.isFinite(amount) || amount < 0) problems.push('data.amount negative or not finite');
      } else problems.push('data.amount not a number or decimal string');
      oneOf(d, 'status', 'data.status', TX_STATUS, true);
      country(d, 'country', 'data.country', true);
      str(d, 'city', 'data.city', false);
      number(d, 'lat', 'data.lat', false, -90, 90);
      number(d, 'lon', 'data.lon', false, -180, 180);
      ip(d, 'ip', 'data.ip');
      str(d, 'device_id', 'data.device_id', false);
      break;
    }
    case 'fraud_detection': {
      str(d, 'detection_id', 'data.detection_id', true);
      str(d, 'transaction_id', 'data.transaction_id', true);
      str(d, 'account_id', 'data.account_id', true);
      number(d, 'score', 'data.score', true, 0, 1);
      oneOf(d, 'decision', 'data.decision', DECISION, true);
      const rules = d.rules_triggered;
      if (rules !== undefined && (!Array.isArray(rules) || rules.some((rule) => typeof rule !== 'string'))) {
        problems.push('data.rules_triggered not an array of strings');
      }
      str(d, 'model_version', 'data.model_version', false);
      oneOf(d, 'label', 'data.label', LABEL, false);
      break;
    }
    case 'security_alert': {
      str(d, 'alert_id', 'data.alert_id', true);
      oneOf(d, 'severity', 'data.severity', SEVERITY, true);
      oneOf(d, 'category', 'data.category', CATEGORY, true);
      str(d, 'account_id', 'data.account_id', false);
      str(d, 'user_id', 'data.user_id', false);
      ip(d, 'ip', 'data.ip');
      country(d, 'country', 'data.country', false);
      str(d, 'description', 'data.description', false, 2000);
      break;
    }
    case 'notification': {
      str(d, 'notification_id', 'data.notification_id', true);
      str(d, 'customer_id', 'data.customer_id', true);
      oneOf(d, 'channel', 'data.channel', N_CHANNEL, true);
      str(d, 'template', 'data.template', true);
      oneOf(d, 'status', 'data.status', N_STATUS, true);
      str(d, 'provider', 'data.provider', false);
      number(d, 'latency_ms', 'data.latency_ms', false, 0, Number.MAX_SAFE_INTEGER, true);
      str(d, 'related_event_id', 'data.related_event_id', false);
      break;
    }
  }
  return problems;
}
