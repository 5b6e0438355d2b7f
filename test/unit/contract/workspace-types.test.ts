/**
 * Workspace-declared types and versions ("Custom types and evolution" in the event contract):
 * a custom type from JSON Schema, a version 2 of a built-in type, and the conversion's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTION_V1 } from '../../../src/contract/builtin-types.js';
import type { EventTypeSpec } from '../../../src/contract/field-spec.js';
import { fieldsFromJsonSchema, SchemaConversionError, type DataJsonSchema } from '../../../src/contract/from-json-schema.js';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { validateRecords, type CheckedRecord } from '../../../src/contract/validate.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { eventJson, expectReasons, expectRejected, expectValid, withData } from './event-fixtures.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.open({ threads: 1 });
});

afterAll(() => {
  engine.close();
});

async function check(registry: EventTypeRegistry, raw: string): Promise<CheckedRecord> {
  const [record] = await validateRecords(engine, registry, [{ raw }]);
  if (record === undefined) throw new Error('validateRecords returned no result');
  return record;
}

const CHARGEBACK_SCHEMA: DataJsonSchema = {
  type: 'object',
  required: ['chargeback_id', 'transaction_id', 'amount', 'currency', 'stage'],
  properties: {
    chargeback_id: { type: 'string', minLength: 1, maxLength: 32, description: 'Chargeback identifier.' },
    transaction_id: { type: 'string', description: 'The disputed transaction.' },
    amount: { type: 'number', 'x-decimal': true, 'x-currency-field': 'currency', minimum: 0, description: 'Disputed amount.' },
    currency: { type: 'string', format: 'currency' },
    stage: { type: 'string', enum: ['opened', 'represented', 'won', 'lost'] },
    reason_code: { type: 'string', pattern: '[0-9]{2}\\.[0-9]' },
    disputed_at: { type: 'string', format: 'date-time' },
    is_fraud_claim: { type: 'boolean' },
    evidence: { type: 'array', items: { type: 'string' } },
    attempts: { type: 'integer', minimum: 1, maximum: 3 },
    customer_ip: { type: 'string', format: 'ipv4' },
  },
};

const CHARGEBACK: EventTypeSpec = {
  type: 'chargeback',
  version: 1,
  table: 'chargebacks',
  description: 'A card dispute.',
  origin: 'analytics.yaml',
  fields: fieldsFromJsonSchema(CHARGEBACK_SCHEMA),
};

const VALID_CHARGEBACK = {
  chargeback_id: 'cb-1',
  transaction_id: 'tx-1',
  amount: '49.90',
  currency: 'EUR',
  stage: 'opened',
  reason_code: '10.4',
  disputed_at: '2026-11-26T09:00:00Z',
  is_fraud_claim: true,
  evidence: ['receipt.pdf'],
  attempts: 1,
  customer_ip: '203.0.113.7',
};

describe('a custom type declared with JSON Schema', () => {
  const registry = EventTypeRegistry.create([CHARGEBACK]);
  const chargeback = (changes: Record<string, unknown>) => check(registry, eventJson('chargeback', { ...VALID_CHARGEBACK, ...changes }));

  it('accepts a valid record into its own table with typed values', async () => {
    const record = await chargeback({});
    expectValid(record, 'chargebacks');
    expect(record.type).toBe('chargeback');
    expect(record.values).toMatchObject({
      chargeback_id: 'cb-1',
      amount: 49.9,
      stage: 'opened',
      disputed_at: '2026-11-26T09:00:00Z',
      is_fraud_claim: true,
      evidence: ['receipt.pdf'],
      attempts: 1,
    });
  });

  it('keeps the built-in types valid', async () => {
    expectValid(await check(registry, withData('transaction', {})), 'transactions');
  });

  it('is listed among the known types', async () => {
    expectRejected(await check(registry, eventJson('refund', {})), 'type', 'known: transaction, fraud_detection, security_alert, notification, chargeback');
  });

  it.each(['chargeback_id', 'transaction_id', 'amount', 'currency', 'stage'])('requires %s', async (field) => {
    expectRejected(await chargeback({ [field]: undefined }), `data.${field}`, 'required field is missing');
  });

  it('accepts a record without the optional fields', async () => {
    const record = await chargeback({ reason_code: undefined, disputed_at: undefined, is_fraud_claim: undefined, evidence: undefined, attempts: undefined, customer_ip: undefined });
    expectValid(record, 'chargebacks');
    expect(record.values.is_fraud_claim).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['chargeback_id', 'c'.repeat(33), 'at most 32 characters, found 33'],
    ['amount', '-5', 'must be at least 0'],
    ['amount', '1.999', 'has more decimals than its currency allows (2)'],
    ['currency', 'euro', 'expected an ISO 4217 currency code'],
    ['stage', 'closed', 'expected one of opened, represented, won, lost, found "closed"'],
    ['reason_code', '104', 'must match [0-9]{2}\\.[0-9], found "104"'],
    ['disputed_at', '2026-11-26', 'expected an RFC 3339 time'],
    ['is_fraud_claim', 'true', 'expected a boolean, found a string'],
    ['is_fraud_claim', 1, 'expected a boolean, found a number'],
    ['evidence', [1], 'expected an array of strings'],
    ['attempts', 0, 'must be at least 1, found 0'],
    ['attempts', 4, 'must be at most 3, found 4'],
    ['attempts', 1.5, 'expected an integer, found a number'],
    ['customer_ip', '300.0.0.1', 'expected an IPv4 or IPv6 address'],
  ])('rejects %s = %j', async (field, value, fragment) => {
    expectRejected(await chargeback({ [field]: value }), `data.${field}`, fragment);
  });

  it('accepts false for a boolean', async () => {
    const record = await chargeback({ is_fraud_claim: false });
    expectValid(record, 'chargebacks');
    expect(record.values.is_fraud_claim).toBe(false);
  });
});

describe('version 2 of a built-in type', () => {
  const TRANSACTION_V2: EventTypeSpec = {
    ...TRANSACTION_V1,
    version: 2,
    origin: 'analytics.yaml',
    fields: [...TRANSACTION_V1.fields, { name: 'risk_tier', kind: 'string', required: true, enum: ['low', 'high'], description: 'Risk tier at authorization.' }],
  };
  const registry = EventTypeRegistry.create([TRANSACTION_V2]);

  it('keeps v1 records valid', async () => {
    const record = await check(registry, withData('transaction', {}));
    expectValid(record, 'transactions');
    expect(record.values.version).toBe(1);
    expect(record.values.risk_tier).toBeNull();
  });

  it('rejects v2 records without the new required field', async () => {
    expectRejected(await check(registry, withData('transaction', {}, { version: 2 })), 'data.risk_tier', 'required field is missing');
  });

  it('accepts v2 records with it, in the same table', async () => {
    const record = await check(registry, withData('transaction', { risk_tier: 'high' }, { version: 2 }));
    expectValid(record, 'transactions');
    expect(record.values.version).toBe(2);
    expect(record.values.risk_tier).toBe('high');
  });

  it('validates the new field on v2 records', async () => {
    expectRejected(await check(registry, withData('transaction', { risk_tier: 'medium' }, { version: 2 })), 'data.risk_tier', 'expected one of low, high');
  });

  it('names both known versions when a record has another', async () => {
    expectRejected(await check(registry, withData('transaction', {}, { version: 3 })), 'version', 'transaction version 3 is not declared in this workspace (known: 1, 2)');
  });

  it('lists the new field in the table columns', () => {
    expect(registry.table('transactions')?.dataColumns.get('risk_tier')).toBe('string');
  });
});

describe('a custom type whose fields are all optional', () => {
  const PING: EventTypeSpec = {
    type: 'ping',
    version: 1,
    table: 'pings',
    description: 'A liveness signal.',
    origin: 'analytics.yaml',
    fields: fieldsFromJsonSchema({ properties: { note: { type: 'string' } } }),
  };
  const registry = EventTypeRegistry.create([PING]);

  it('accepts an empty object', async () => {
    expectValid(await check(registry, eventJson('ping', {})), 'pings');
  });

  it.each<[unknown, string]>([
    [[], 'an array'],
    ['up', 'a string'],
    [5, 'a number'],
  ])('rejects data = %j with one reason', async (data, found) => {
    expectReasons(await check(registry, eventJson('ping', data)), [['data', `expected an object, found ${found}`]]);
  });
});

describe('a money field without a currency field', () => {
  const registry = EventTypeRegistry.create([
    {
      type: 'fee',
      version: 1,
      table: 'fees',
      description: 'A fee.',
      origin: 'analytics.yaml',
      fields: fieldsFromJsonSchema({ required: ['fee'], properties: { fee: { type: 'number', 'x-decimal': true } } }),
    },
  ]);

  it('stores 4 decimals exactly', async () => {
    const record = await check(registry, eventJson('fee', { fee: '0.1234' }));
    expectValid(record, 'fees');
    expect(record.values.fee).toBe(0.1234);
  });

  it('rejects a 5th decimal instead of rounding it away', async () => {
    expectRejected(await check(registry, eventJson('fee', { fee: '0.12345' })), 'data.fee', 'more than 4 decimals');
  });
});

describe('EventTypeRegistry.create', () => {
  it('rejects one field name with two kinds', () => {
    const clash: EventTypeSpec = {
      type: 'payout',
      version: 1,
      table: 'payouts',
      description: 'A payout.',
      origin: 'analytics.yaml',
      fields: [{ name: 'amount', kind: 'integer', required: true, description: 'Cents.' }],
    };
    expect(() => EventTypeRegistry.create([clash])).toThrow('data field "amount" is decimal in one type and integer in payout v1');
  });
});

describe('fieldsFromJsonSchema', () => {
  function conversionError(schema: DataJsonSchema): SchemaConversionError {
    try {
      fieldsFromJsonSchema(schema);
    } catch (error) {
      if (error instanceof SchemaConversionError) return error;
      throw error;
    }
    throw new Error('expected a SchemaConversionError');
  }

  it('converts every supported keyword', () => {
    const byName = new Map(fieldsFromJsonSchema(CHARGEBACK_SCHEMA).map((field) => [field.name, field]));
    expect(byName.get('chargeback_id')).toMatchObject({ kind: 'string', required: true, minLength: 1, maxLength: 32, description: 'Chargeback identifier.' });
    expect(byName.get('amount')).toMatchObject({ kind: 'decimal', required: true, minimum: 0, decimalsOfCurrencyField: 'currency' });
    expect(byName.get('currency')).toMatchObject({ kind: 'string', format: 'currency' });
    expect(byName.get('stage')).toMatchObject({ enum: ['opened', 'represented', 'won', 'lost'] });
    expect(byName.get('reason_code')).toMatchObject({ required: false, pattern: '[0-9]{2}\\.[0-9]' });
    expect(byName.get('is_fraud_claim')).toMatchObject({ kind: 'boolean' });
    expect(byName.get('evidence')).toMatchObject({ kind: 'string_array' });
    expect(byName.get('attempts')).toMatchObject({ kind: 'integer', minimum: 1, maximum: 3 });
    expect(byName.get('customer_ip')).toMatchObject({ format: 'ip' });
  });

  it('rejects an unsupported type and names the property', () => {
    const error = conversionError({ properties: { meta: { type: 'object' } } });
    expect(error.property).toBe('meta');
    expect(error.message).toBe('meta: type "object" is not supported; use string, number, integer, boolean or array');
  });

  it('rejects an unsupported format and names the property', () => {
    const error = conversionError({ properties: { contact: { type: 'string', format: 'email' } } });
    expect(error.property).toBe('contact');
    expect(error.message).toMatch(/^contact: format "email" is not supported; use one of date-time, /);
  });

  it('rejects an array of numbers', () => {
    const error = conversionError({ properties: { scores: { type: 'array', items: { type: 'number' } } } });
    expect(error.message).toMatch(/^scores: only arrays of strings are supported/);
  });

  it('rejects a union of types', () => {
    const error = conversionError({ properties: { note: { type: ['string', 'null'] } } });
    expect(error.message).toMatch(/^note: a property has one type/);
  });

  it('rejects a required name without a property', () => {
    const error = conversionError({ required: ['ghost'], properties: { note: { type: 'string' } } });
    expect(error.property).toBe('ghost');
    expect(error.message).toBe('ghost: is listed in required but has no entry in properties');
  });
});
