import { describe, expect, it } from 'vitest';
import { COUNTRY_BY_CODE } from '../../../src/reference/countries.js';
import { CURRENCY_BY_CODE } from '../../../src/reference/currencies.js';
import { MERCHANT_CATEGORY_BY_CODE } from '../../../src/reference/merchant-categories.js';
import { checkRecord } from './contract-checker.js';
import { DAY_END, DAY_START, generateAll, parse } from './sample-data.js';

const ENVELOPE_KEYS = new Set(['id', 'type', 'version', 'occurred_at', 'source', 'trace_id', 'data']);

describe('generated records against the contract', () => {
  const { records } = generateAll({ seed: 21, count: 30_000, start: DAY_START, end: DAY_END, badRatio: 0.03, duplicateRatio: 0.01 });
  const good = records.filter((record) => record.bad === null);
  const events = good.filter((record) => record.duplicateOf === null).map(parse);

  it('passes every good record through the strict checker', () => {
    const failures = good.map((record) => ({ line: record.line, problems: checkRecord(record.line) })).filter((r) => r.problems.length > 0);
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('fails every bad record in the checker', () => {
    const accepted = records.filter((record) => record.bad !== null && checkRecord(record.line).length === 0);
    expect(accepted.map((record) => [record.bad, record.line]).slice(0, 5)).toEqual([]);
  });

  it('writes no envelope fields outside the contract, and a type matching the record', () => {
    const unique = good.filter((record) => record.duplicateOf === null);
    for (const [index, event] of events.entries()) {
      for (const key of Object.keys(event)) expect(ENVELOPE_KEYS.has(key)).toBe(true);
      expect(event.type).toBe(unique[index]!.type);
    }
  });

  it('gives every event a unique id of evt_ and 20 base32 characters', () => {
    const ids = events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^evt_[a-z2-7]{20}$/);
  });

  it('writes RFC 3339 times with milliseconds, mostly in UTC and sometimes in other offsets', () => {
    let utc = 0;
    let other = 0;
    for (const event of events) {
      expect(event.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/);
      const instant = Date.parse(event.occurred_at);
      expect(instant).toBeGreaterThanOrEqual(DAY_START.getTime());
      expect(instant).toBeLessThan(DAY_END.getTime());
      if (event.occurred_at.endsWith('Z') || event.occurred_at.endsWith('+00:00')) utc++;
      else other++;
    }
    expect(utc / events.length).toBeGreaterThan(0.7);
    expect(other / events.length).toBeGreaterThan(0.1);
  });

  it('names the producing service and usually a trace id', () => {
    const sources: Record<string, string> = {
      transaction: 'payments-api',
      fraud_detection: 'fraud-engine',
      security_alert: 'auth-service',
      notification: 'notifier',
    };
    for (const event of events) expect(event.source).toBe(sources[event.type]);
    const traced = events.filter((event) => typeof event.trace_id === 'string').length;
    expect(traced / events.length).toBeGreaterThan(0.8);
  });

  it('formats amounts with exactly the currency minor units, in the country currency', () => {
    const transactions = events.filter((event) => event.type === 'transaction');
    const decimals = new Set<number>();
    for (const { data } of transactions) {
      const currency = CURRENCY_BY_CODE.get(data.currency as string)!;
      const amount = data.amount as string;
      expect(typeof amount).toBe('string');
      const fraction = amount.split('.')[1];
      expect(fraction?.length ?? 0).toBe(currency.decimals);
      decimals.add(currency.decimals);
      expect(COUNTRY_BY_CODE.get(data.country as string)!.currency).toBe(data.currency);
    }
    // Zero-decimal currencies (JPY, KRW…) and two-decimal ones both occur.
    expect(decimals.has(0)).toBe(true);
    expect(decimals.has(2)).toBe(true);
  });

  it('has no merchant on transfers and a known MCC merchant on every other channel', () => {
    for (const { data } of events.filter((event) => event.type === 'transaction')) {
      if (data.channel === 'transfer') {
        expect(data.merchant_id).toBeUndefined();
      } else {
        expect(typeof data.merchant_id).toBe('string');
        expect(MERCHANT_CATEGORY_BY_CODE.has(data.merchant_category as string)).toBe(true);
      }
      if (data.channel === 'atm') expect(data.merchant_category).toBe('6011');
    }
  });

  it('keeps each merchant in one category and one country', () => {
    const seen = new Map<string, string>();
    for (const { data } of events.filter((event) => event.type === 'transaction' && event.data.merchant_id !== undefined)) {
      const key = `${data.merchant_category as string}/${data.country as string}`;
      const before = seen.get(data.merchant_id as string);
      if (before !== undefined) expect(key).toBe(before);
      seen.set(data.merchant_id as string, key);
    }
  });

  it('places shops near their country (coordinates within a few degrees of the centroid or a listed city)', () => {
    for (const { data } of events.filter((event) => event.type === 'transaction' && event.data.lat !== undefined)) {
      const country = COUNTRY_BY_CODE.get(data.country as string)!;
      if (data.city !== undefined) continue;
      expect(Math.abs((data.lat as number) - country.lat)).toBeLessThan(3);
    }
  });

  it('mixes statuses realistically: mostly captured or authorized, 5–8% declined', () => {
    const statuses = new Map<string, number>();
    const transactions = events.filter((event) => event.type === 'transaction');
    for (const { data } of transactions) statuses.set(data.status as string, (statuses.get(data.status as string) ?? 0) + 1);
    const share = (status: string) => (statuses.get(status) ?? 0) / transactions.length;
    expect(share('captured') + share('authorized')).toBeGreaterThan(0.8);
    expect(share('declined')).toBeGreaterThan(0.05);
    expect(share('declined')).toBeLessThan(0.09);
    expect(share('refunded')).toBeGreaterThan(0);
    expect(share('reversed')).toBeGreaterThan(0);
  });

  it('links follow-up events to earlier events', () => {
    const seenTransactions = new Set<string>();
    const seenIds = new Set<string>();
    for (const event of events) {
      if (event.type === 'fraud_detection') expect(seenTransactions.has(event.data.transaction_id as string)).toBe(true);
      if (event.type === 'notification' && event.data.related_event_id !== undefined) {
        expect(seenIds.has(event.data.related_event_id as string)).toBe(true);
      }
      if (event.type === 'transaction') seenTransactions.add(event.data.transaction_id as string);
      seenIds.add(event.id);
    }
    const caused = events.filter((event) => event.type === 'notification' && event.data.related_event_id !== undefined);
    expect(caused.length).toBeGreaterThan(0);
  });

  it('uses both IPv4 and IPv6 addresses', () => {
    const ips = events.map((event) => event.data.ip).filter((ip): ip is string => typeof ip === 'string');
    expect(ips.some((ip) => ip.includes(':'))).toBe(true);
    expect(ips.some((ip) => ip.includes('.'))).toBe(true);
  });
});
