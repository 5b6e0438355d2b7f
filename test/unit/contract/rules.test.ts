/**
 * Every rule of the event contract (shared/contracts/events.md), checked through the real
 * compiled DuckDB validation: one valid and at least one invalid case per rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeRegistry, referenceCodes } from '../../../src/contract/registry.js';
import { compileValidation } from '../../../src/contract/sql-validation.js';
import { stageRecords, validateRecords, type CheckedRecord } from '../../../src/contract/validate.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { ident } from '../../../src/duckdb/sql.js';
import {
  eventJson,
  expectReasons,
  expectRejected,
  expectValid,
  reasonPath,
  VALID_DATA,
  withData,
} from './event-fixtures.js';

let engine: Engine;
const registry = EventTypeRegistry.create();

beforeAll(async () => {
  engine = await Engine.open({ threads: 1 });
});

afterAll(() => {
  engine.close();
});

/** Validates one record's raw text. */
async function check(raw: string): Promise<CheckedRecord> {
  const [record] = await validateRecords(engine, registry, [{ raw }]);
  if (record === undefined) throw new Error('validateRecords returned no result');
  return record;
}

const transaction = (changes: Record<string, unknown>, envelope: Record<string, unknown> = {}) => check(withData('transaction', changes, envelope));
const envelope = (changes: Record<string, unknown>) => transaction({}, changes);

describe('envelope', () => {
  it('accepts a valid event and returns typed envelope values', async () => {
    const record = await envelope({});
    expectValid(record, 'transactions');
    expect(record.id).toBe('evt-1');
    expect(record.type).toBe('transaction');
    expect(record.values.version).toBe(1);
    expect(record.values.source).toBe('payments-api');
    expect(record.values.trace_id).toBe('trace-1');
    expect(record.values.extra).toBeNull();
  });

  describe('id', () => {
    it('is required', async () => {
      expectRejected(await envelope({ id: undefined }), 'id', 'required field is missing');
    });
    it('must not be empty', async () => {
      expectRejected(await envelope({ id: '' }), 'id', 'at least 1 character');
    });
    it('accepts 128 characters', async () => {
      const record = await envelope({ id: 'i'.repeat(128) });
      expectValid(record, 'transactions');
      expect(record.id).toBe('i'.repeat(128));
    });
    it('rejects 129 characters', async () => {
      expectRejected(await envelope({ id: 'i'.repeat(129) }), 'id', 'at most 128 characters, found 129');
    });
    it('counts characters, not bytes', async () => {
      expectValid(await envelope({ id: 'é'.repeat(128) }), 'transactions');
    });
    it('must be a string', async () => {
      expectRejected(await envelope({ id: 42 }), 'id', 'expected a string, found a number');
    });
  });

  describe('type', () => {
    it('is required', async () => {
      const record = await envelope({ type: undefined });
      expectRejected(record, 'type', 'required field is missing');
      expect(record.table).toBeNull();
    });
    it('rejects an unknown type and names the known ones', async () => {
      const record = await envelope({ type: 'foo' });
      expectRejected(record, 'type', 'unknown event type "foo" (known: transaction, fraud_detection, security_alert, notification)');
      expect(record.table).toBeNull();
    });
    it('must be a string', async () => {
      expectRejected(await envelope({ type: 7 }), 'type', 'expected a string, found a number');
    });
  });

  describe('version', () => {
    it('is required', async () => {
      expectRejected(await envelope({ version: undefined }), 'version', 'required field is missing');
    });
    it('must be at least 1', async () => {
      expectReasons(await envelope({ version: 0 }), [
        ['version', 'must be at least 1, found 0'],
        ['version', 'transaction version 0 is not declared in this workspace'],
      ]);
    });
    it('must be an integer', async () => {
      const record = await envelope({ version: 1.5 });
      expect(record.reasons[0]).toBe('version: expected an integer, found a number');
      expect(record.reasons.every((reason) => reasonPath(reason) === 'version')).toBe(true);
    });
    it('must be a number, not a numeric string', async () => {
      expectRejected(await envelope({ version: '1' }), 'version', 'expected an integer, found a string');
    });
    it('rejects a version the workspace does not know and names the known versions', async () => {
      const record = await envelope({ version: 99 });
      expectRejected(record, 'version', 'transaction version 99 is not declared in this workspace (known: 1)');
      expect(record.table).toBeNull();
    });
  });

  describe('occurred_at', () => {
    it('is required', async () => {
      expectRejected(await envelope({ occurred_at: undefined }), 'occurred_at', 'required field is missing');
    });
    it('rejects a time without offset', async () => {
      expectRejected(await envelope({ occurred_at: '2026-11-25T18:00:00' }), 'occurred_at', 'expected an RFC 3339 time with offset');
    });
    it('rejects a date without time', async () => {
      expectRejected(await envelope({ occurred_at: '2026-11-25' }), 'occurred_at', 'found "2026-11-25"');
    });
    it('rejects a space instead of T', async () => {
      expectRejected(await envelope({ occurred_at: '2026-11-25 18:00:00Z' }), 'occurred_at', 'expected an RFC 3339 time');
    });
    it('accepts Z and stores the instant', async () => {
      const record = await envelope({ occurred_at: '2026-11-25T18:00:00Z' });
      expectValid(record, 'transactions');
      expect(record.values.occurred_at).toBe('2026-11-25T18:00:00.000Z');
    });
    it('accepts an offset and stores the UTC instant', async () => {
      const record = await envelope({ occurred_at: '2026-11-25T18:00:00.123+01:00' });
      expectValid(record, 'transactions');
      expect(record.values.occurred_at).toBe('2026-11-25T17:00:00.123Z');
    });
    it('accepts a negative offset that moves the date', async () => {
      const record = await envelope({ occurred_at: '2026-11-25T22:30:00-05:00' });
      expectValid(record, 'transactions');
      expect(record.values.occurred_at).toBe('2026-11-26T03:30:00.000Z');
    });
    it('rejects month 13', async () => {
      const record = await envelope({ occurred_at: '2026-13-25T18:00:00Z' });
      expectRejected(record, 'occurred_at', 'found "2026-13-25T18:00:00Z"');
      expect(record.values.occurred_at).toBeNull();
    });
    it('rejects February 30', async () => {
      expectRejected(await envelope({ occurred_at: '2026-02-30T18:00:00Z' }), 'occurred_at', 'expected an RFC 3339 time');
    });
    it.each(['+25:00', '+01:60', '-24:00'])('rejects the out-of-range offset %s', async (offset) => {
      expectRejected(await envelope({ occurred_at: `2026-11-25T18:00:00${offset}` }), 'occurred_at', 'expected an RFC 3339 time');
    });
    it('must be a string', async () => {
      expectRejected(await envelope({ occurred_at: 1_764_090_000 }), 'occurred_at', 'expected a string, found a number');
    });
  });

  describe('source', () => {
    it('is required', async () => {
      expectRejected(await envelope({ source: undefined }), 'source', 'required field is missing');
    });
    it('must not be empty', async () => {
      expectRejected(await envelope({ source: '' }), 'source', 'at least 1 character');
    });
    it('accepts 64 characters', async () => {
      const record = await envelope({ source: 's'.repeat(64) });
      expectValid(record, 'transactions');
      expect(record.values.source).toBe('s'.repeat(64));
    });
    it('rejects 65 characters', async () => {
      expectRejected(await envelope({ source: 's'.repeat(65) }), 'source', 'at most 64 characters, found 65');
    });
  });

  describe('trace_id', () => {
    it('is optional', async () => {
      const record = await envelope({ trace_id: undefined });
      expectValid(record, 'transactions');
      expect(record.values.trace_id).toBeNull();
    });
    it('must be a string', async () => {
      expectRejected(await envelope({ trace_id: 12 }), 'trace_id', 'expected a string, found a number');
    });
  });

  describe('data', () => {
    it('is required', async () => {
      const record = await envelope({ data: undefined });
      expect(record.reasons[0]).toBe('data: required object is missing');
      expect(record.reasons.slice(1).every((reason) => reason.startsWith('data.'))).toBe(true);
    });
    it('must be an object, not an array', async () => {
      const record = await envelope({ data: [1, 2] });
      expect(record.reasons[0]).toBe('data: expected an object, found an array');
    });
    it('must be an object, not a string', async () => {
      const record = await envelope({ data: 'amount=12' });
      expect(record.reasons[0]).toBe('data: expected an object, found a string');
      expect(record.table).toBe('transactions');
    });
  });

  describe('record shape', () => {
    it('rejects text that is not JSON', async () => {
      const record = await check('id=evt-1,type=transaction');
      expect(record.reasons).toEqual(['invalid JSON: the record does not parse']);
      expect(record.id).toBeNull();
      expect(record.table).toBeNull();
    });
    it('rejects a truncated JSON object', async () => {
      const raw = withData('transaction', {});
      expect((await check(raw.slice(0, -5))).reasons).toEqual(['invalid JSON: the record does not parse']);
    });
    it('rejects a JSON array of events', async () => {
      const record = await check(`[${withData('transaction', {})}]`);
      expect(record.reasons).toEqual(['expected a JSON object']);
      expect(record.table).toBeNull();
    });
    it('accepts surrounding whitespace', async () => {
      expectValid(await check(`  ${withData('transaction', {})}\t`), 'transactions');
    });
  });

  describe('unknown envelope fields', () => {
    it('are kept in extra as a JSON object and the record stays valid', async () => {
      const record = await envelope({ partner: 'acme', tags: { tier: 1, flags: ['a'] }, 'odd.key': null });
      expectValid(record, 'transactions');
      expect(typeof record.values.extra).toBe('string');
      expect(JSON.parse(record.values.extra as string)).toEqual({ partner: 'acme', tags: { tier: 1, flags: ['a'] }, 'odd.key': null });
    });
    it('leave extra empty when there are none', async () => {
      expect((await envelope({})).values.extra).toBeNull();
    });
    // Keys are counted before they are compared with the known ones: the edges of that count.
    it('are found with or without the optional trace_id, and a null trace_id is not one', async () => {
      expect(JSON.parse((await envelope({ trace_id: undefined, partner: 'acme' })).values.extra as string)).toEqual({ partner: 'acme' });
      expect(JSON.parse((await envelope({ trace_id: null, partner: 'acme' })).values.extra as string)).toEqual({ partner: 'acme' });
      expect((await envelope({ trace_id: null })).values.extra).toBeNull();
      expect((await envelope({ trace_id: undefined })).values.extra).toBeNull();
    });
  });
});

// Fields confined to words, codes, times or addresses are read as text by DuckDB's typed parse,
// which also turns numbers, booleans, objects and arrays into text; a text that could be one of
// those has its JSON kind looked up again (sql-validation.ts, readAsText). Free-form strings are
// JSON leaves. These are the values on both sides of that line, in fields of both reads.
describe('string fields and JSON kinds', () => {
  const looksLikeOther = ['12', '-0.5', '1e5', '+3', '.5', 'NaN', 'inf', 'Infinity', 'true', 'false', '{"a":1}', '[1]', 'null'];
  it.each(looksLikeOther)('keep the string "%s" as a string in a free-form field, with its exact text', async (text) => {
    const record = await transaction({ account_id: text, city: text }, { id: text, source: text });
    expectValid(record, 'transactions');
    expect(record.id).toBe(text);
    expect(record.values.source).toBe(text);
    expect(record.values.account_id).toBe(text);
    expect(record.values.city).toBe(text);
  });
  it.each(looksLikeOther)('judge the string "%s" in a field read as text by its rule, as a string', async (text) => {
    expectReasons(await transaction({ status: text, currency: text }), [
      ['data.currency', `expected an ISO 4217 currency code, found "${text}"`],
      ['data.status', `expected one of authorized, captured, declined, refunded, reversed, found "${text}"`],
    ]);
  });
  const others: [value: unknown, found: string][] = [[12, 'a number'], [-0.5, 'a number'], [1e21, 'a number'], [true, 'a boolean'], [false, 'a boolean'], [{ a: 1 }, 'an object'], [[1], 'an array'], [['USD'], 'an array']];
  it.each(others)('reject the value %j in a string field, found %s', async (value, found) => {
    expectReasons(await transaction({ account_id: value, currency: value, status: value, country: value, ip: value, city: value }, { source: value, occurred_at: value }), [
      ['occurred_at', `expected a string, found ${found}`],
      ['source', `expected a string, found ${found}`],
      ['data.account_id', `expected a string, found ${found}`],
      ['data.currency', `expected a string, found ${found}`],
      ['data.status', `expected a string, found ${found}`],
      ['data.country', `expected a string, found ${found}`],
      ['data.city', `expected a string, found ${found}`],
      ['data.ip', `expected a string, found ${found}`],
    ]);
  });
  it('reject a number id and type with the kind, not as an unknown type', async () => {
    const record = await envelope({ id: 7, type: 12 });
    expect(record.reasons).toEqual(['id: expected a string, found a number', 'type: expected a string, found a number']);
    expect(record.id).toBeNull();
  });
  it('decode escapes, quotes, backslashes and characters beyond the BMP', async () => {
    // The JSON text of the value, escapes and all.
    const text = String.raw`Zürich \"x\" \\ \n \u00e9 😀 \ud83d\ude00`;
    const decoded = JSON.parse(`"${text}"`) as string;
    const record = await check(withData('transaction', {}, {}).replace('"payments-api"', `"${text}"`));
    expectValid(record, 'transactions');
    expect(record.values.source).toBe(decoded);
    const escapedCode = await check(withData('transaction', {}).replace('"currency":"EUR"', String.raw`"currency":"\u0045UR"`));
    expectValid(escapedCode, 'transactions');
    expect(escapedCode.values.currency).toBe('EUR');
  });
  it('read the first of repeated keys, for the value and for its kind alike', async () => {
    const first = await check(withData('transaction', {}).replace('"status":"captured"', '"status":"captured","status":5'));
    expectValid(first, 'transactions');
    expect(first.values.status).toBe('captured');
    const numberFirst = await check(withData('transaction', {}).replace('"status":"captured"', '"status":5,"status":"captured"'));
    expect(numberFirst.reasons).toEqual(['data.status: expected a string, found a number']);
    const idFirst = await check(withData('transaction', {}).replace('"id":"evt-1"', '"id":"12","id":7'));
    expectValid(idFirst, 'transactions');
    expect(idFirst.id).toBe('12');
  });
  it('read a value NaN (not JSON, but read by the parser) as a wrong kind, in either read', async () => {
    const leaf = await check(withData('transaction', {}).replace('"acc-1"', 'NaN'));
    expect(leaf.reasons).toHaveLength(1);
    expect(leaf.reasons[0]).toMatch(/^data\.account_id: expected a string, found /);
    const text = await check(withData('transaction', {}).replace('"EUR"', 'NaN'));
    expect(text.reasons).toEqual([leaf.reasons[0]!.replace('data.account_id', 'data.currency')]);
  });
});

describe('transaction v1', () => {
  it('accepts a full record and returns typed values', async () => {
    const record = await transaction({});
    expectValid(record, 'transactions');
    expect(record.values).toMatchObject({
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
    });
  });

  it.each(['transaction_id', 'account_id', 'customer_id', 'amount', 'currency', 'status', 'channel', 'country'])(
    'requires %s',
    async (field) => {
      expectRejected(await transaction({ [field]: undefined }), `data.${field}`, 'required field is missing');
    },
  );

  it.each(['transaction_id', 'account_id', 'customer_id'])('rejects an empty %s', async (field) => {
    expectRejected(await transaction({ [field]: '' }), `data.${field}`, 'at least 1 character');
  });

  describe('merchant_id', () => {
    it('may be missing for a transfer', async () => {
      const record = await transaction({ merchant_id: undefined, channel: 'transfer' });
      expectValid(record, 'transactions');
      expect(record.values.merchant_id).toBeNull();
    });
    it.each(['card_present', 'ecommerce', 'atm'])('is required for %s', async (channel) => {
      expectRejected(await transaction({ merchant_id: undefined, channel }), 'data.merchant_id', 'required unless channel is transfer');
    });
    it('is required when the channel is missing too', async () => {
      expectReasons(await transaction({ merchant_id: undefined, channel: undefined }), [
        ['data.merchant_id', 'required unless channel is transfer'],
        ['data.channel', 'required field is missing'],
      ]);
    });
  });

  describe('merchant_category', () => {
    it('accepts a 4-digit code', async () => {
      expect((await transaction({ merchant_category: '5411' })).reasons).toEqual([]);
    });
    it('is optional', async () => {
      expectValid(await transaction({ merchant_category: undefined }), 'transactions');
    });
    it.each(['541', '54a1', '54111'])('rejects %s', async (code) => {
      expectRejected(await transaction({ merchant_category: code }), 'data.merchant_category', `expected a 4-digit merchant category code, found "${code}"`);
    });
    it('must be a string', async () => {
      expectRejected(await transaction({ merchant_category: 5411 }), 'data.merchant_category', 'expected a string, found a number');
    });
  });

  describe('amount', () => {
    it('accepts a JSON number', async () => {
      const record = await transaction({ amount: 12.5 });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(12.5);
    });
    it('accepts a decimal string', async () => {
      const record = await transaction({ amount: '12.50' });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(12.5);
    });
    it('accepts zero', async () => {
      const record = await transaction({ amount: 0 });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(0);
    });
    it('rejects a negative number', async () => {
      expectRejected(await transaction({ amount: -1 }), 'data.amount', 'must be at least 0');
    });
    it('rejects a negative decimal string', async () => {
      expectRejected(await transaction({ amount: '-0.01' }), 'data.amount', 'must be at least 0');
    });
    it('rejects 3 decimals in EUR', async () => {
      expectRejected(await transaction({ amount: '12.345' }), 'data.amount', 'has more decimals than its currency allows (2)');
    });
    it('rejects 3 decimals in EUR as a JSON number', async () => {
      expectRejected(await transaction({ amount: 12.345 }), 'data.amount', 'has more decimals than its currency allows (2)');
    });
    it('accepts a whole amount in JPY', async () => {
      const record = await transaction({ amount: '1250', currency: 'JPY' });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(1250);
    });
    it('rejects decimals in JPY', async () => {
      expectRejected(await transaction({ amount: '12.5', currency: 'JPY' }), 'data.amount', 'has more decimals than its currency allows (0)');
    });
    it.each([
      ['KWD', '12.345', 12.345],
      ['BHD', 1.005, 1.005],
    ])('accepts 3 decimals in %s', async (currency, amount, stored) => {
      const record = await transaction({ amount, currency });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(stored);
    });
    it('rejects 4 decimals in KWD', async () => {
      expectRejected(await transaction({ amount: '1.2345', currency: 'KWD' }), 'data.amount', 'has more decimals than its currency allows (3)');
    });
    it.each([
      ['abc', 'a string'],
      ['', 'a string'],
      ['12.', 'a string'],
      ['.5', 'a string'],
      ['+12', 'a string'],
      ['1e3', 'a string'],
      [{ value: 12 }, 'an object'],
      [[12], 'an array'],
      [true, 'a boolean'],
    ])('rejects %j', async (amount, found) => {
      expectRejected(await transaction({ amount }), 'data.amount', `expected a number or a decimal string, found ${found}`);
    });
    it('rejects more than DECIMAL(18,4) holds', async () => {
      expectRejected(await transaction({ amount: '100000000000000' }), 'data.amount', 'is out of range for DECIMAL(18,4)');
    });
    it.each([
      ['0.10', 0.1],
      ['123456789012.34', 123_456_789_012.34],
      ['0.01', 0.01],
    ])('stores %s exactly', async (amount, stored) => {
      const record = await transaction({ amount });
      expectValid(record, 'transactions');
      expect(record.values.amount).toBe(stored);
    });
    it('is a DECIMAL(18,4) column, never a float', async () => {
      // Given amounts a DOUBLE cannot hold exactly, when the compiled validation runs,
      // then the column is DECIMAL and its text is exact.
      const amounts = ['0.10', '99999999999999.99', 0.3];
      const staged = await stageRecords(engine, amounts.map((amount, index) => ({ raw: withData('transaction', { amount }), origin: `line ${index + 1}` })));
      try {
        const query = compileValidation(registry.specs, referenceCodes(), ident(staged));
        const rows = await engine.rows<{ kind: string; text: string; reasons: string[] }>(
          `SELECT typeof(amount) AS kind, amount::VARCHAR AS text, reasons FROM (${query.sql}) ORDER BY ordinal`,
        );
        expect(rows).toEqual([
          { kind: 'DECIMAL(18,4)', text: '0.1000', reasons: [] },
          { kind: 'DECIMAL(18,4)', text: '99999999999999.9900', reasons: [] },
          { kind: 'DECIMAL(18,4)', text: '0.3000', reasons: [] },
        ]);
      } finally {
        await engine.run(`DROP TABLE ${ident(staged)}`);
      }
    });
  });

  describe('currency', () => {
    it.each(['EUR', 'USD', 'JPY', 'XXX'])('accepts %s', async (currency) => {
      const record = await transaction({ currency, amount: '10' });
      expectValid(record, 'transactions');
      expect(record.values.currency).toBe(currency);
    });
    it.each(['eur', 'ABC', 'EURO', 'EU'])('rejects %s', async (currency) => {
      expectRejected(await transaction({ currency }), 'data.currency', `expected an ISO 4217 currency code, found "${currency}"`);
    });
  });

  describe('status', () => {
    it.each(['authorized', 'captured', 'declined', 'refunded', 'reversed'])('accepts %s', async (status) => {
      expectValid(await transaction({ status }), 'transactions');
    });
    it('rejects a value outside the list', async () => {
      expectRejected(await transaction({ status: 'pending' }), 'data.status', 'expected one of authorized, captured, declined, refunded, reversed, found "pending"');
    });
  });

  describe('channel', () => {
    it.each(['card_present', 'ecommerce', 'transfer', 'atm'])('accepts %s', async (channel) => {
      expectValid(await transaction({ channel }), 'transactions');
    });
    it("rejects another type's value", async () => {
      expectRejected(await transaction({ channel: 'email' }), 'data.channel', 'expected one of card_present, ecommerce, transfer, atm, found "email"');
    });
  });

  describe('country', () => {
    it('accepts DE', async () => {
      expectValid(await transaction({ country: 'DE' }), 'transactions');
    });
    it.each(['de', 'XX', 'DEU'])('rejects %s', async (country) => {
      expectRejected(await transaction({ country }), 'data.country', `expected an ISO 3166-1 alpha-2 country code, found "${country}"`);
    });
  });

  describe('lat and lon', () => {
    it.each([
      [-90, -180],
      [90, 180],
      [0, 0],
    ])('accept the bounds lat %d, lon %d', async (lat, lon) => {
      const record = await transaction({ lat, lon });
      expectValid(record, 'transactions');
      expect(record.values.lat).toBe(lat);
      expect(record.values.lon).toBe(lon);
    });
    it('are optional', async () => {
      expectValid(await transaction({ lat: undefined, lon: undefined }), 'transactions');
    });
    it('reject lat 90.1', async () => {
      expectRejected(await transaction({ lat: 90.1 }), 'data.lat', 'must be at most 90, found 90.1');
    });
    it('reject lat -90.5', async () => {
      expectRejected(await transaction({ lat: -90.5 }), 'data.lat', 'must be at least -90');
    });
    it('reject lon -180.5', async () => {
      expectRejected(await transaction({ lon: -180.5 }), 'data.lon', 'must be at least -180, found -180.5');
    });
    it('reject lon 180.5', async () => {
      expectRejected(await transaction({ lon: 180.5 }), 'data.lon', 'must be at most 180');
    });
    it('reject a numeric string', async () => {
      expectRejected(await transaction({ lat: '52.1' }), 'data.lat', 'expected a number, found a string');
    });
  });

  describe('ip', () => {
    it.each(['192.168.0.1', '0.0.0.0', '255.255.255.255', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:db8::1', '::1', '::', 'fe80::', '::ffff:192.0.2.1'])(
      'accepts %s',
      async (ip) => {
        const record = await transaction({ ip });
        expectValid(record, 'transactions');
        expect(record.values.ip).toBe(ip);
      },
    );
    it('is optional', async () => {
      expectValid(await transaction({ ip: undefined }), 'transactions');
    });
    it.each(['999.1.1.1', 'abc', '1.2.3', '1.2.3.4.5', '2001:db8::1::1', '12345::1'])('rejects %s', async (ip) => {
      expectRejected(await transaction({ ip }), 'data.ip', `expected an IPv4 or IPv6 address, found "${ip}"`);
    });
  });

  describe('city and device_id', () => {
    it('are optional', async () => {
      const record = await transaction({ city: undefined, device_id: undefined });
      expectValid(record, 'transactions');
      expect(record.values.city).toBeNull();
      expect(record.values.device_id).toBeNull();
    });
    it('keep escaped characters', async () => {
      const record = await transaction({ city: 'Saint-Étienne "Loire"\\', device_id: 'dev\n1' });
      expectValid(record, 'transactions');
      expect(record.values.city).toBe('Saint-Étienne "Loire"\\');
      expect(record.values.device_id).toBe('dev\n1');
    });
    it('must be strings', async () => {
      expectReasons(await transaction({ city: 10115, device_id: ['d'] }), [
        ['data.city', 'expected a string, found a number'],
        ['data.device_id', 'expected a string, found an array'],
      ]);
    });
  });
});

describe('fraud_detection v1', () => {
  const detection = (changes: Record<string, unknown>) => check(withData('fraud_detection', changes));

  it('accepts a full record and returns typed values', async () => {
    const record = await detection({});
    expectValid(record, 'fraud_detections');
    expect(record.values).toMatchObject({
      detection_id: 'det-1',
      transaction_id: 'tx-1',
      account_id: 'acc-1',
      score: 0.87,
      decision: 'review',
      rules_triggered: ['velocity', 'geo_mismatch'],
      model_version: 'm-2026.11',
      label: 'fraud',
    });
  });

  it('accepts only the required fields', async () => {
    const record = await detection({ rules_triggered: undefined, model_version: undefined, label: undefined });
    expectValid(record, 'fraud_detections');
    expect(record.values.rules_triggered).toBeNull();
    expect(record.values.label).toBeNull();
  });

  it.each(['detection_id', 'transaction_id', 'account_id', 'score', 'decision'])('requires %s', async (field) => {
    expectRejected(await detection({ [field]: undefined }), `data.${field}`, 'required field is missing');
  });

  describe('score', () => {
    it.each([0, 1, 0.5])('accepts %d', async (score) => {
      const record = await detection({ score });
      expectValid(record, 'fraud_detections');
      expect(record.values.score).toBe(score);
    });
    it('rejects 1.01', async () => {
      expectRejected(await detection({ score: 1.01 }), 'data.score', 'must be at most 1, found 1.01');
    });
    it('rejects -0.1', async () => {
      expectRejected(await detection({ score: -0.1 }), 'data.score', 'must be at least 0, found -0.1');
    });
    it('rejects a numeric string', async () => {
      expectRejected(await detection({ score: '0.5' }), 'data.score', 'expected a number, found a string');
    });
  });

  describe('decision', () => {
    it.each(['approve', 'review', 'decline'])('accepts %s', async (decision) => {
      expectValid(await detection({ decision }), 'fraud_detections');
    });
    it('rejects a value outside the list', async () => {
      expectRejected(await detection({ decision: 'block' }), 'data.decision', 'expected one of approve, review, decline, found "block"');
    });
  });

  describe('rules_triggered', () => {
    it('accepts an empty array', async () => {
      const record = await detection({ rules_triggered: [] });
      expectValid(record, 'fraud_detections');
      expect(record.values.rules_triggered).toEqual([]);
    });
    it('rejects an array with a number', async () => {
      expectRejected(await detection({ rules_triggered: ['velocity', 7] }), 'data.rules_triggered', 'expected an array of strings, found an array with an item that is not a string');
    });
    it('rejects an array with a null', async () => {
      expectRejected(await detection({ rules_triggered: ['velocity', null] }), 'data.rules_triggered', 'expected an array of strings');
    });
    it('rejects a string', async () => {
      expectRejected(await detection({ rules_triggered: 'velocity' }), 'data.rules_triggered', 'expected an array of strings, found a string');
    });
  });

  describe('label', () => {
    it.each(['fraud', 'legit'])('accepts %s', async (label) => {
      const record = await detection({ label });
      expectValid(record, 'fraud_detections');
      expect(record.values.label).toBe(label);
    });
    it('rejects maybe', async () => {
      expectRejected(await detection({ label: 'maybe' }), 'data.label', 'expected one of fraud, legit, found "maybe"');
    });
  });
});

describe('security_alert v1', () => {
  const alert = (changes: Record<string, unknown>) => check(withData('security_alert', changes));

  it('accepts a full record', async () => {
    const record = await alert({});
    expectValid(record, 'security_alerts');
    expect(record.values).toMatchObject({ alert_id: 'al-1', severity: 'high', category: 'impossible_travel', user_id: 'usr-1', ip: '2001:db8::1', country: 'FR' });
  });

  it('accepts only the required fields', async () => {
    const record = await check(eventJson('security_alert', { alert_id: 'al-2', severity: 'low', category: 'other' }));
    expectValid(record, 'security_alerts');
    expect(record.values.country).toBeNull();
    expect(record.values.ip).toBeNull();
  });

  it.each(['alert_id', 'severity', 'category'])('requires %s', async (field) => {
    expectRejected(await alert({ [field]: undefined }), `data.${field}`, 'required field is missing');
  });

  describe('severity', () => {
    it.each(['low', 'medium', 'high', 'critical'])('accepts %s', async (severity) => {
      expectValid(await alert({ severity }), 'security_alerts');
    });
    it('rejects a value outside the list', async () => {
      expectRejected(await alert({ severity: 'urgent' }), 'data.severity', 'expected one of low, medium, high, critical, found "urgent"');
    });
  });

  describe('category', () => {
    it.each(['failed_login', 'credential_stuffing', 'impossible_travel', 'new_device', 'privilege_escalation', 'malware', 'data_exfiltration', 'other'])(
      'accepts %s',
      async (category) => {
        expectValid(await alert({ category }), 'security_alerts');
      },
    );
    it('rejects a value outside the list', async () => {
      expectRejected(await alert({ category: 'phishing' }), 'data.category', 'found "phishing"');
    });
  });

  describe('description', () => {
    it('accepts 2,000 characters', async () => {
      const record = await alert({ description: 'd'.repeat(2000) });
      expectValid(record, 'security_alerts');
      expect(record.values.description).toHaveLength(2000);
    });
    it('rejects 2,001 characters', async () => {
      expectRejected(await alert({ description: 'd'.repeat(2001) }), 'data.description', 'at most 2000 characters, found 2001');
    });
  });

  describe('optional country and ip', () => {
    it('are validated when present', async () => {
      expectReasons(await alert({ country: 'fr', ip: 'abc' }), [
        ['data.ip', 'expected an IPv4 or IPv6 address, found "abc"'],
        ['data.country', 'expected an ISO 3166-1 alpha-2 country code, found "fr"'],
      ]);
    });
    it('accept IPv4', async () => {
      expectValid(await alert({ ip: '10.0.0.1' }), 'security_alerts');
    });
  });
});

describe('notification v1', () => {
  const notification = (changes: Record<string, unknown>) => check(withData('notification', changes));

  it('accepts a full record', async () => {
    const record = await notification({});
    expectValid(record, 'notifications');
    expect(record.values).toMatchObject({ notification_id: 'not-1', customer_id: 'cus-1', channel: 'email', template: 'payment_receipt', status: 'delivered', latency_ms: 250 });
  });

  it.each(['notification_id', 'customer_id', 'channel', 'template', 'status'])('requires %s', async (field) => {
    expectRejected(await notification({ [field]: undefined }), `data.${field}`, 'required field is missing');
  });

  describe('channel', () => {
    it.each(['email', 'sms', 'push', 'webhook'])('accepts %s', async (channel) => {
      expectValid(await notification({ channel }), 'notifications');
    });
    it('rejects a value outside the list', async () => {
      expectRejected(await notification({ channel: 'fax' }), 'data.channel', 'expected one of email, sms, push, webhook, found "fax"');
    });
  });

  describe('status', () => {
    it.each(['queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked'])('accepts %s', async (status) => {
      expectValid(await notification({ status }), 'notifications');
    });
    it('rejects a value outside the list', async () => {
      expectRejected(await notification({ status: 'read' }), 'data.status', 'found "read"');
    });
  });

  describe('latency_ms', () => {
    it('accepts 0', async () => {
      const record = await notification({ latency_ms: 0 });
      expectValid(record, 'notifications');
      expect(record.values.latency_ms).toBe(0);
    });
    it('is optional', async () => {
      expectValid(await notification({ latency_ms: undefined }), 'notifications');
    });
    it('rejects -1', async () => {
      expectRejected(await notification({ latency_ms: -1 }), 'data.latency_ms', 'must be at least 0, found -1');
    });
    it('rejects 1.5', async () => {
      expectRejected(await notification({ latency_ms: 1.5 }), 'data.latency_ms', 'expected an integer, found a number');
    });
    it('rejects a numeric string', async () => {
      expectRejected(await notification({ latency_ms: '5' }), 'data.latency_ms', 'expected an integer, found a string');
    });
    it('rejects a value beyond BIGINT instead of storing NULL', async () => {
      expectRejected(await notification({ latency_ms: 1e19 }), 'data.latency_ms', 'out of range');
    });
  });
});

describe('several violations', () => {
  it('lists every reason with its field path', async () => {
    const record = await transaction(
      { amount: -1, currency: 'eur', status: 'pending', lat: 91, ip: 'abc', merchant_id: undefined },
      { id: 'i'.repeat(129), source: '' },
    );
    expect(record.reasons.map(reasonPath).sort()).toEqual(
      ['id', 'source', 'data.merchant_id', 'data.amount', 'data.currency', 'data.status', 'data.lat', 'data.ip'].sort(),
    );
    expect(record.reasons).toContain('data.currency: expected an ISO 4217 currency code, found "eur"');
    expect(record.reasons).toContain('data.status: expected one of authorized, captured, declined, refunded, reversed, found "pending"');
  });
});

describe('null values', () => {
  it('count as absent for optional fields', async () => {
    const record = await transaction({ city: null, lat: null, ip: null }, { trace_id: null });
    expectValid(record, 'transactions');
    expect(record.values.city).toBeNull();
    expect(record.values.trace_id).toBeNull();
  });
  it('count as missing for required fields', async () => {
    expectRejected(await transaction({ currency: null }), 'data.currency', 'required field is missing');
  });
  it('count as missing on the envelope', async () => {
    expectRejected(await envelope({ source: null }), 'source', 'required field is missing');
  });
});

describe('a batch', () => {
  it('returns one result per record, in order, and one bad record does not stop the others', async () => {
    const raws = [
      withData('transaction', {}, { id: 'a' }),
      withData('transaction', { amount: 'abc' }, { id: 'b' }),
      'not json',
      withData('notification', {}, { id: 'c' }),
      eventJson('fraud_detection', VALID_DATA.fraud_detection, { id: 'd' }),
      withData('security_alert', { severity: 'urgent' }, { id: 'e' }),
    ];
    const records = await validateRecords(engine, registry, raws.map((raw) => ({ raw })));
    expect(records).toHaveLength(raws.length);
    expect(records.map((record) => record.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records.map((record) => record.origin)).toEqual(['record 1', 'record 2', 'record 3', 'record 4', 'record 5', 'record 6']);
    expect(records.map((record) => record.reasons.length === 0)).toEqual([true, false, false, true, true, false]);
    expect(records.map((record) => record.table)).toEqual(['transactions', 'transactions', null, 'notifications', 'fraud_detections', 'security_alerts']);
  });
});
