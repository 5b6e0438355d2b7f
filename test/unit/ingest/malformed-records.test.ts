/**
 * Validation checks records with json_valid before the parse only when malformed records are
 * expected (a TRY around a parse that throws re-evaluates the whole vector row by row). Whether
 * they are is told by the first records (`firstRecordsPlan`), and either way the validation's
 * outcome per record is the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeRegistry, referenceCodes } from '../../../src/contract/registry.js';
import { compileValidation } from '../../../src/contract/sql-validation.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { firstRecordsPlan } from '../../../src/pipelines/ingest/staged-batch.js';
import { sqlString } from '../../support/duckdb.js';
import { transactionEvent } from '../../support/events.js';

/** A relation of (raw, origin, ordinal) over the texts. */
function relation(texts: readonly string[]): string {
  return `(SELECT raw, 'test' AS origin, NULL::BIGINT AS ordinal FROM (VALUES ${texts.map((text) => `(${sqlString(text)})`).join(', ')}) AS t(raw))`;
}

describe('malformed records', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ threads: 1 });
  });
  afterAll(() => engine.close());

  const valid = (index: number) => JSON.stringify(transactionEvent(`evt_${index}`, index));
  const malformed = ['{"id":"evt_x",', 'not json', '{"id":"\\ud800"}', '', '[1,'];

  it('are found among the first 1,000 records, and only there', async () => {
    const clean = Array.from({ length: 1_200 }, (_, index) => valid(index));
    const registry = EventTypeRegistry.create();
    const malformedExpected = async (texts: string[]) => (await firstRecordsPlan(engine, registry, relation(texts))).malformedExpected;
    expect(await malformedExpected(clean)).toBe(false);
    expect(await malformedExpected([...clean.slice(0, 500), malformed[0]!, ...clean.slice(500)])).toBe(true);
    // Past the sample: not seen (validation is then slower on them, never different).
    expect(await malformedExpected([...clean, malformed[1]!])).toBe(false);
  });

  it('get the same validation outcome, reasons included, with and without the json_valid check', async () => {
    const texts = Array.from({ length: 3_000 }, (_, index) => (index % 7 === 0 ? malformed[index % malformed.length]! : valid(index)));
    const registry = EventTypeRegistry.create();
    const outcome = async (malformedExpected: boolean) => engine.rows(
      `SELECT id, _table, reasons, raw FROM (${compileValidation(registry.specs, referenceCodes(), relation(texts), { malformedExpected }).sql}) ORDER BY ALL`,
    );
    const checked = await outcome(true);
    expect(checked.filter((row) => (row.reasons as string[]).length > 0)).toHaveLength(Math.ceil(3_000 / 7));
    expect(checked).toEqual(await outcome(false));
  });
});
