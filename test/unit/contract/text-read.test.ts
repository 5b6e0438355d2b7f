/**
 * Free-form string fields (ids, names) are parsed as JSON leaves by default, and as text when a
 * batch's first records show their values are rarely valid JSON themselves (`textRead`). Either
 * way every record gets the same outcome: verdict, reasons and stored values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeRegistry, referenceCodes } from '../../../src/contract/registry.js';
import { compileValidation, freeFormStringFields } from '../../../src/contract/sql-validation.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { tablesOf } from '../../../src/pipelines/ingest/direct-write.js';
import { firstRecordsPlan } from '../../../src/pipelines/ingest/staged-batch.js';
import { sqlString } from '../../support/duckdb.js';
import { eventJson, VALID_DATA, VALID_ENVELOPE, type BuiltinType } from './event-fixtures.js';

/** A relation of (raw, origin, ordinal) over the texts. */
function relation(texts: readonly string[]): string {
  return `(SELECT raw, 'test' AS origin, NULL::BIGINT AS ordinal FROM (VALUES ${texts.map((text) => `(${sqlString(text)})`).join(', ')}) AS t(raw))`;
}

/** Values a string field may be given: strings that read as other JSON kinds, and other kinds. */
const VALUES: unknown[] = [
  'abc', '', ' ', '12', '-3.5', '1e5', 'true', 'false', 'null', 'NaN', 'inf', '[1]', '{"a":1}', ' 7', 'tx "quoted"', 'é✓', 'a\\b', 'line\nbreak',
  12, -0.5, 1e21, true, false, null, { a: 1 }, ['x'], [],
];

describe('string fields read as text', () => {
  let engine: Engine;
  const registry = EventTypeRegistry.create();
  beforeAll(async () => {
    engine = await Engine.open({ threads: 1 });
  });
  afterAll(() => engine.close());

  it('give every record the same outcome as JSON leaves', async () => {
    const texts: string[] = [];
    for (const type of Object.keys(VALID_DATA) as BuiltinType[]) {
      texts.push(eventJson(type, VALID_DATA[type]));
      for (const value of VALUES) {
        for (const field of Object.keys(VALID_DATA[type])) texts.push(eventJson(type, { ...VALID_DATA[type], [field]: value }));
        for (const field of ['type', ...Object.keys(VALID_ENVELOPE)]) texts.push(eventJson(type, VALID_DATA[type], { [field]: value }));
      }
    }
    const everything = freeFormStringFields(registry.specs).map((field) => field.path);
    expect(everything).toEqual(expect.arrayContaining(['id', 'source', 'trace_id', 'data.account_id', 'data.merchant_category', 'data.description']));
    const outcome = async (textRead: string[]) => engine.rows(
      `SELECT * EXCLUDE (origin, ordinal) REPLACE (occurred_at::VARCHAR AS occurred_at) FROM (${compileValidation(registry.specs, referenceCodes(), relation(texts), { textRead }).sql}) ORDER BY ALL`,
    );
    // The parse differs: those fields are VARCHAR instead of JSON.
    const structure = (textRead: string[]) => /from_json\(raw, '([^']*)'\)/.exec(compileValidation(registry.specs, referenceCodes(), 'r', { textRead }).sql)?.[1];
    expect(JSON.parse(structure([])!).data.account_id).toBe('JSON');
    expect(JSON.parse(structure(everything)!).data.account_id).toBe('VARCHAR');
    const leaves = await outcome([]);
    expect(leaves).toHaveLength(texts.length);
    expect(leaves.filter((row) => (row.reasons as string[]).length === 0).length).toBeGreaterThan(100);
    expect(leaves.filter((row) => (row.reasons as string[]).length > 0).length).toBeGreaterThan(200);
    expect(await outcome(everything)).toEqual(leaves);
  });

  it('are chosen from the first records: fields whose values are rarely valid JSON', async () => {
    const withIds = (account: (index: number) => string) => Array.from({ length: 200 }, (_, index) => eventJson('transaction', { ...VALID_DATA.transaction, account_id: account(index) }, { id: `evt-${index}` }));
    const named = await tablesOf(engine, registry, relation(withIds((index) => `acc-${index}`)), { routed: false });
    expect(named?.tables).toEqual(['transactions']);
    expect(named?.textRead).toEqual(expect.arrayContaining(['id', 'data.account_id', 'data.transaction_id']));
    // Numeric account ids would each cost a second parse: the field stays a JSON leaf.
    const numeric = await tablesOf(engine, registry, relation(withIds((index) => String(100_000 + index))), { routed: false });
    expect(numeric?.textRead).toContain('id');
    expect(numeric?.textRead).not.toContain('data.account_id');
    // The merchant category code is four digits: always a leaf.
    expect(numeric?.textRead).not.toContain('data.merchant_category');
  });

  it('are chosen for the general path by a parse of the first records, malformed ones among them', async () => {
    const texts = Array.from({ length: 300 }, (_, index) => (index % 10 === 0 ? '{"id":' : eventJson(index % 2 === 0 ? 'transaction' : 'notification', { ...(index % 2 === 0 ? VALID_DATA.transaction : VALID_DATA.notification), customer_id: String(index) }, { id: `evt-${index}` })));
    const plan = await firstRecordsPlan(engine, registry, relation(texts));
    expect(plan.malformedExpected).toBe(true);
    expect(plan.textRead).toEqual(expect.arrayContaining(['id', 'source', 'data.account_id', 'data.notification_id']));
    expect(plan.textRead).not.toContain('data.customer_id');
  });
});
