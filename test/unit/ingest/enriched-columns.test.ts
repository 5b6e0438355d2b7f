/**
 * The stored event_date and event_hour come from integer arithmetic on epoch microseconds
 * (cheaper than DuckDB's calendar casts); they must be the UTC date and hour for any time,
 * before 1970 and far ahead included, whatever the session's time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { Engine } from '../../../src/duckdb/engine.js';
import { enrichedColumns } from '../../../src/pipelines/ingest/batch-writer.js';

describe('event_date and event_hour', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ threads: 1 });
  });
  afterAll(() => engine.close());

  it('equal the UTC date and hour of occurred_at for 200,000 random times from 1900 to 2400', async () => {
    const table = EventTypeRegistry.create().table('transactions')!;
    const columns = enrichedColumns({ reportingCurrency: 'USD' }, table, '2026-11-26T00:00:00Z', 'b');
    const date = /\(DATE '1970-01-01'[^]*? AS event_date/.exec(columns)![0];
    const hour = /CAST\(\(\(epoch_us[^]*? AS event_hour/.exec(columns)![0];
    // The reference is formatted in UTC by strftime after an explicit conversion, in another zone.
    await engine.run(`SET TimeZone = 'Pacific/Kiritimati'`);
    const [row] = await engine.rows<{ n: number; wrong: number }>(`
      WITH c AS (
        SELECT TIMESTAMPTZ '1900-01-01 00:00:00+00' + to_microseconds(CAST(random() * 15778800000000000 AS BIGINT)) AS occurred_at FROM range(200000)
        UNION ALL SELECT TIMESTAMPTZ '1969-12-31 23:59:59.999999+00' UNION ALL SELECT TIMESTAMPTZ '1970-01-01 00:00:00+00'
        UNION ALL SELECT TIMESTAMPTZ '1969-12-31 00:00:00+00' UNION ALL SELECT TIMESTAMPTZ '2026-11-24 23:59:59.999999+00')
      SELECT count(*) AS n, count(*) FILTER (WHERE strftime(event_date, '%Y-%m-%d') <> strftime(timezone('UTC', occurred_at), '%Y-%m-%d')
                                            OR event_hour <> CAST(strftime(timezone('UTC', occurred_at), '%H') AS INTEGER)) AS wrong
      FROM (SELECT occurred_at, ${date}, ${hour} FROM c)`);
    expect(row).toEqual({ n: 200_004, wrong: 0 });
  });
});
