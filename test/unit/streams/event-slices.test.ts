/**
 * Slices of a batch's events by event time (event-slices.ts): every event exactly once, slices in
 * time order with no millisecond split between two of them, and about the asked size; a busy
 * millisecond stays whole even when it holds more than a slice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/duckdb/engine.js';
import { eventSlices, type EventSource } from '../../../src/streams/event-slices.js';
import type { TableRead } from '../../../src/streams/lake-events.js';
import type { StreamEvent } from '../../../src/streams/stream-event.js';

const READ: TableRead = { table: 'events', types: ['transaction', 'fraud_detection'], fields: ['country'], sqlTypes: new Map([['country', 'VARCHAR']]) };

async function collect(engine: Engine, sources: EventSource[], perSlice: number): Promise<StreamEvent[][]> {
  const slices: StreamEvent[][] = [];
  for await (const slice of eventSlices(engine, sources, perSlice)) slices.push(slice);
  return slices;
}

describe('eventSlices', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ threads: 2 });
    // 5,000 events over about 80 s, sub-millisecond times included; 700 of them in one millisecond.
    await engine.run(`CREATE TABLE events AS
      SELECT 'e' || i AS id, CASE WHEN i % 3 = 0 THEN 'fraud_detection' ELSE 'transaction' END AS "type",
             TIMESTAMPTZ '2026-11-24 10:00:00+00' + to_microseconds(CAST(hash(i) % 80000000 AS BIGINT)) AS occurred_at,
             CASE WHEN i % 2 = 0 THEN 'DE' ELSE 'FR' END AS country
      FROM range(4300) t(i)
      UNION ALL
      SELECT 'busy' || i, 'transaction', TIMESTAMPTZ '2026-11-24 10:00:30.250+00' + to_microseconds(i), 'US' FROM range(700) t(i)`);
  });
  afterAll(() => engine.close());

  const sources = (where = 'true'): EventSource[] => [
    { read: { ...READ, types: ['transaction'] }, relation: 'events', where: `"type" = 'transaction' AND ${where}` },
    { read: { ...READ, types: ['fraud_detection'] }, relation: 'events', where: `"type" = 'fraud_detection' AND ${where}` },
  ];

  it('gives every event once, in slices of event time that do not share a millisecond', async () => {
    const slices = await collect(engine, sources(), 400);
    const all = slices.flat();
    expect(all).toHaveLength(5_000);
    expect(new Set(all.map((event) => event.id)).size).toBe(5_000);
    for (let index = 1; index < slices.length; index++) {
      const previousLast = Math.max(...slices[index - 1]!.map((event) => event.time));
      const first = Math.min(...slices[index]!.map((event) => event.time));
      expect(first, `slice ${index}`).toBeGreaterThan(previousLast);
    }
    // About 13 slices of 400; the busy millisecond's 700 events stay in one slice.
    expect(slices.length).toBeGreaterThanOrEqual(10);
    const busy = slices.filter((slice) => slice.some((event) => event.id.startsWith('busy')));
    expect(busy).toHaveLength(1);
    expect(busy[0]!.length).toBeGreaterThanOrEqual(700);
    for (const slice of slices.filter((candidate) => candidate !== busy[0])) expect(slice.length).toBeLessThanOrEqual(800);
    // Each source keeps its own type and fields.
    expect(all.find((event) => event.id === 'e3')).toMatchObject({ type: 'fraud_detection', fields: { country: 'FR' } });
  });

  it('gives a batch within the size as one slice, and nothing for no events', async () => {
    expect((await collect(engine, sources(), 5_000)).map((slice) => slice.length)).toEqual([5_000]);
    expect(await collect(engine, sources('false'), 400)).toEqual([]);
    expect(await collect(engine, [], 400)).toEqual([]);
  });

  it('reads sources whose known row counts fit a slice at once, and slices them when they do not', async () => {
    const known = sources().map((source) => ({ ...source, maxRows: 2_500 }));
    expect((await collect(engine, known, 5_000)).map((slice) => slice.length)).toEqual([5_000]);
    expect((await collect(engine, known, 400)).length).toBeGreaterThanOrEqual(10);
    expect(await collect(engine, sources('false').map((source) => ({ ...source, maxRows: 0 })), 400)).toEqual([]);
  });
});
