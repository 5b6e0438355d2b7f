/** Numbers written in other forms: an integral version written as 1.0, money in exponent notation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { validateRecords } from '../../../src/contract/validate.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { expectRejected, expectValid, withData } from './event-fixtures.js';

describe('number forms', () => {
  let engine: Engine;
  const registry = EventTypeRegistry.create();
  const check = async (raw: string) => (await validateRecords(engine, registry, [{ raw }]))[0]!;
  beforeAll(async () => (engine = await Engine.open({ threads: 1 })));
  afterAll(() => engine.close());

  it('accepts version 1.0 as version 1 (an integral number is an integer)', async () => {
    const record = await check(withData('transaction', {}, { version: 1.0 }).replace('"version":1', '"version":1.0'));
    expectValid(record, 'transactions');
    expect(record.values.version).toBe(1);
  });

  it('rejects money in exponent notation, which would hide extra decimals', async () => {
    const raw = withData('transaction', { amount: 1 }).replace('"amount":1', '"amount":5e-7');
    expectRejected(await check(raw), 'data.amount', 'plain decimal notation');
  });

  it('still accepts plain JSON numbers and decimal strings for money', async () => {
    expectValid(await check(withData('transaction', { amount: 12.5 })), 'transactions');
    expectValid(await check(withData('transaction', { amount: '12.50' })), 'transactions');
  });
});
