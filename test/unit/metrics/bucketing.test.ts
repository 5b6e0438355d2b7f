/** The metrics layer's cheap time buckets agree with DuckDB's own date_trunc (UTC) for every grain. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { metricRelation } from '../../../src/metrics/compile.js';
import type { Grain, MetricDefinition } from '../../../src/metrics/schema.js';

const metric: MetricDefinition = {
  name: 'events', description: 'x', owner: 'x', table: 'events', aggregation: 'count', time_column: 'occurred_at',
  dimensions: [], grains: ['minute', 'hour', 'day', 'week', 'month', 'quarter'], format: 'number',
};

describe('metric time buckets', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ threads: 1 });
    // 5,000 instants spread over four years, including month, quarter and year ends and leap days.
    await engine.run(`CREATE TABLE events AS SELECT TIMESTAMPTZ '2023-12-31 23:59:59.999+00' + to_seconds((i * 25237.4)::BIGINT) AS occurred_at FROM range(5000) t(i)`);
  });
  afterAll(() => engine.close());

  it.each(['minute', 'hour', 'day', 'week', 'month', 'quarter'] as Grain[])('%s buckets match date_trunc', async (grain) => {
    const relation = metricRelation(new Map([['events', metric]]), metric, [], grain, new Date('2020-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    const ours = await engine.rows<{ period: string; value: number }>(`SELECT period, value FROM (${relation}) ORDER BY period`);
    const reference = await engine.rows<{ period: string; value: number }>(`SELECT date_trunc('${grain}', occurred_at) AS period, count(*)::DOUBLE AS value FROM events GROUP BY ALL ORDER BY period`);
    expect(ours).toEqual(reference);
  });
});
