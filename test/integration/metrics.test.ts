/**
 * The metrics layer over a real lake, checked against values computed in the test from the
 * events that were ingested (not from the layer's own output).
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpiReport, kpiStatus } from '../../src/metrics/kpi.js';
import { queryMetric } from '../../src/metrics/service.js';
import { ingestFiles } from '../../src/pipelines/ingest/file-ingest.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { transactionEvent, writeTransactions } from '../support/sample-events.js';
import { tempWorkspace } from '../support/workspace.js';

const COUNT = 2_000; // sample events: one per second from midnight of 2026-11-24
const events = Array.from({ length: COUNT }, (_, index) => transactionEvent(index)) as { occurred_at: string; data: { status: string; country: string } }[];

describe('metrics', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await tempWorkspace());
    await copyFile('metrics.yaml', path.join(dir, 'metrics.yaml'));
    await ingestFiles(workspace, { paths: [await writeTransactions(path.join(dir, 'tx.ndjson'), COUNT)], cwd: dir });
  });
  afterAll(() => cleanup());

  it('counts and rates match the ingested events', async () => {
    const day = { grain: 'day' as const, from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') };
    const count = await queryMetric(workspace, { metric: 'transaction_count', ...day });
    expect(count.rows).toEqual([{ period: '2026-11-24T00:00:00.000Z', transaction_count: COUNT }]);
    const declined = events.filter((event) => event.data.status === 'declined').length;
    const rate = await queryMetric(workspace, { metric: 'decline_rate', ...day });
    expect(rate.rows[0]!.decline_rate).toBeCloseTo(declined / COUNT, 12);
  });

  it('breaks down by a dimension', async () => {
    const result = await queryMetric(workspace, { metric: 'transaction_count', by: ['country'], grain: 'day', from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') });
    const expected = new Map<string, number>();
    for (const event of events) expected.set(event.data.country, (expected.get(event.data.country) ?? 0) + 1);
    expect(Object.fromEntries(result.rows.map((row) => [row.country, row.transaction_count]))).toEqual(Object.fromEntries(expected));
  });

  it('compares each period with the previous one', async () => {
    // 2,000 events at one per second: hour 0 has 2,000, hour 1 would be empty; use minutes instead.
    const result = await queryMetric(workspace, { metric: 'transaction_count', grain: 'minute', from: new Date('2026-11-24T00:01:00Z'), to: new Date('2026-11-24T00:04:00Z'), compare: 'previous_period' });
    expect(result.rows).toEqual([
      { period: '2026-11-24T00:01:00.000Z', transaction_count: 60, previous: 60, change: 0, change_ratio: 0 },
      { period: '2026-11-24T00:02:00.000Z', transaction_count: 60, previous: 60, change: 0, change_ratio: 0 },
      { period: '2026-11-24T00:03:00.000Z', transaction_count: 60, previous: 60, change: 0, change_ratio: 0 },
    ]);
  });

  it('answers from the cache until new data lands', async () => {
    const query = { metric: 'transaction_volume', grain: 'hour' as const };
    const first = await queryMetric(workspace, query);
    const second = await queryMetric(workspace, query);
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.rows).toEqual(first.rows);
    await ingestFiles(workspace, { paths: [await writeTransactions(path.join(dir, 'more.ndjson'), 10, { idPrefix: 'more' })], cwd: dir });
    const third = await queryMetric(workspace, query);
    expect(third.cached).toBe(false);
  });

  it('refuses unknown metrics, dimensions and grains with a clear message', async () => {
    await expect(queryMetric(workspace, { metric: 'fraud_rat' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', hint: expect.stringContaining('fraud_rate') });
    await expect(queryMetric(workspace, { metric: 'transaction_count', by: ['colour'] })).rejects.toThrow(/cannot be broken down by colour/);
    await expect(queryMetric(workspace, { metric: 'transaction_volume', grain: 'minute' })).rejects.toThrow(/not defined at the minute grain/);
  });

  it('a ratio with no denominator rows is empty, never NaN', async () => {
    const result = await queryMetric(workspace, { metric: 'notification_delivery_rate', grain: 'day', from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-25T00:00:00Z') });
    expect(result.rows).toEqual([]);
  });

  it('KPI status follows thresholds and direction', async () => {
    const lower = { direction: 'lower_is_better' as const, target: 0.05, green: 0.08, amber: 0.12, window: '1d' };
    expect([0.05, 0.1, 0.2, null].map((value) => kpiStatus(value, lower))).toEqual(['green', 'amber', 'red', 'no_data']);
    const report = await kpiReport(workspace);
    const decline = report.find((kpi) => kpi.metric === 'decline_rate')!;
    expect(decline.value).toBeCloseTo(events.filter((event) => event.data.status === 'declined').length / COUNT, 2);
    expect(decline.series.length).toBeGreaterThan(0);
  });
});
