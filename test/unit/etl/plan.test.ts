import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { tablesReadBy, type PipelinePlan, type StepPlan } from '../../../src/etl/plan.js';
import { runWindows, selectSteps } from '../../../src/etl/run.js';
import { substituteParameters, unknownParameters } from '../../../src/etl/template.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ threads: 1 });
});
afterAll(() => engine.close());

describe('tablesReadBy', () => {
  it('finds tables in joins, subqueries and set operations, leaving out CTE names and table functions', async () => {
    const sql = `WITH recent AS (SELECT * FROM transactions) SELECT * FROM recent r JOIN dim_customer c USING (customer_id)
      WHERE r.id IN (SELECT event_id FROM fact_fraud_detections) UNION ALL SELECT * FROM read_parquet('x.parquet')`;
    expect((await tablesReadBy(engine, sql) as { tables: string[] }).tables.sort()).toEqual(['dim_customer', 'fact_fraud_detections', 'transactions']);
  });

  it('a string that looks like a table is not one', async () => {
    expect(await tablesReadBy(engine, `SELECT 'FROM nope' AS text FROM transactions`)).toEqual({ tables: ['transactions'] });
  });

  it('returns the parser error and its offset', async () => {
    expect(await tablesReadBy(engine, 'SELECT 1 FROM x WHERE')).toMatchObject({ error: expect.stringContaining('syntax error'), offset: 21 });
    expect(await tablesReadBy(engine, 'UPDATE x SET a = 1')).toMatchObject({ error: expect.stringContaining('only a SELECT') });
  });
});

describe('parameters', () => {
  it('are replaced by SQL literals; quotes in values cannot escape', () => {
    const sql = substituteParameters('SELECT {{ run_date }}, {{from}}, {{ to }}, {{ run_id }}, {{ watermark }}', { run_date: '2026-11-24', from: '2026-11-24', to: '2026-11-25', run_id: "it's", watermark: null });
    expect(sql).toBe("SELECT DATE '2026-11-24', DATE '2026-11-24', DATE '2026-11-25', 'it''s', NULL");
    expect(unknownParameters('SELECT {{ day }}, {{ run_date }}')).toEqual(['day']);
  });
});

describe('runWindows', () => {
  it('one window per date of a backfill, both ends included; one open window when undated', () => {
    expect(runWindows({ from: '2026-02-27', to: '2026-03-01' })).toEqual([
      { date: '2026-02-27', from: '2026-02-27', to: '2026-02-28' },
      { date: '2026-02-28', from: '2026-02-28', to: '2026-03-01' },
      { date: '2026-03-01', from: '2026-03-01', to: '2026-03-02' },
    ]);
    expect(runWindows({})).toEqual([{ date: null, from: '1970-01-01', to: '9999-12-31' }]);
    expect(() => runWindows({ from: '2026-03-02', to: '2026-03-01' })).toThrow(/before --from/);
    expect(() => runWindows({ from: '2026-03-02' })).toThrow(/both --from and --to/);
  });
});

describe('selectSteps', () => {
  const step = (name: string, upstream: string[], load = true): StepPlan => ({ pipeline: 'p', name, upstream, tables: [], where: 'f:1', definition: { name, depends_on: [], format: 'auto', checks: [], sql: 'SELECT 1', ...(load ? { load: { table: name, mode: 'replace' } } : {}) } });
  const pipeline = { name: 'p', steps: [step('raw', [], false), step('a', ['raw']), step('b', ['a']), step('c', ['raw'])] } as unknown as PipelinePlan;
  const names = (select: string[]) => selectSteps(pipeline, select).map((s) => s.name);
  it('name, name+ and +name; intermediate steps without a load come along', () => {
    expect(names(['b'])).toEqual(['b']);
    expect(names(['a+'])).toEqual(['raw', 'a', 'b']);
    expect(names(['+b'])).toEqual(['raw', 'a', 'b']);
    expect(names(['c'])).toEqual(['raw', 'c']);
  });
});
