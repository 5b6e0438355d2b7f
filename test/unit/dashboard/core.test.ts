/** The dashboard's pure core: time ranges, layout, filters, drill-down targets, drill SQL. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { drillSql } from '../../../src/dashboard/data/drill-down.js';
import { parseFilters } from '../../../src/dashboard/filters.js';
import { gridLayout, split } from '../../../src/dashboard/layout.js';
import { parseDashboard } from '../../../src/dashboard/load.js';
import { drillTarget } from '../../../src/dashboard/selection.js';
import { grainFor, parseCustomRange, presetRange } from '../../../src/dashboard/time-range.js';
import { metricsFileSchema } from '../../../src/metrics/schema.js';

const metrics = new Map(metricsFileSchema.parse(parseYaml(readFileSync('metrics.yaml', 'utf8'))).metrics.map((metric) => [metric.name, metric]));
const now = new Date('2026-11-25T10:17:42Z');

describe('time ranges', () => {
  it('end with the grain step holding now, so a repeated question is the same query', () => {
    expect(presetRange('15m', now)).toMatchObject({ from: new Date('2026-11-25T10:03:00Z'), to: new Date('2026-11-25T10:18:00Z'), grain: 'minute' });
    expect(presetRange('24h', now)).toMatchObject({ from: new Date('2026-11-24T11:00:00Z'), to: new Date('2026-11-25T11:00:00Z'), grain: 'hour' });
    expect(presetRange('1h', new Date('2026-11-25T10:17:59Z')).to).toEqual(presetRange('1h', now).to);
  });

  it('parses custom ranges and says what is wrong with bad ones', () => {
    expect(parseCustomRange('6h', now)).toMatchObject({ name: 'custom', from: new Date('2026-11-25T04:17:42Z'), grain: 'hour' });
    expect(parseCustomRange('2026-11-24T00:00 2026-11-24T02:00', now)).toMatchObject({ from: new Date('2026-11-24T00:00:00Z'), to: new Date('2026-11-24T02:00:00Z'), grain: 'minute' });
    expect(parseCustomRange('2026-11-24T02:00 2026-11-24T00:00', now)).toBe('the start must be before the end');
    expect(parseCustomRange('yesterday', now)).toMatch(/type a span such as 6h/);
  });

  it('uses the nearest grain a metric allows', () => {
    expect(grainFor(metrics.get('transaction_volume')!, 'minute')).toBe('hour');
    expect(grainFor(metrics.get('transaction_count')!, 'minute')).toBe('minute');
  });
});

describe('layout', () => {
  it('splits by weight and gives the remainder to the last parts', () => {
    expect(split(100, [1, 1, 1])).toEqual([33, 33, 34]);
    expect(split(57, [5, 13, 10, 9])).toEqual([7, 20, 16, 14]);
  });

  it('fills the terminal, and says when it is too small', () => {
    const dashboard = { name: 'default', ...parseDashboard(readFileSync('dashboards/default.yaml', 'utf8'), 'default.yaml', { metrics, tables: ['security_alerts'], streams: undefined }) };
    const grid = gridLayout(dashboard, 200, 60);
    expect(grid.rows.reduce((sum, row) => sum + row.height, 0)).toBe(57);
    for (const row of grid.rows) expect(row.widgets.reduce((sum, widget) => sum + widget.width, 0)).toBe(200);
    expect(gridLayout(dashboard, 100, 30).tooSmall).toMatch(/The terminal is 100×30; this dashboard needs at least 120×40/);
    expect(gridLayout(dashboard, 200, 60, 'r2w2').rows).toEqual([{ height: 57, widgets: [{ id: 'r2w2', width: 200, height: 57 }] }]);
  });
});

describe('filters and drill-downs', () => {
  it('parses the filter bar', () => {
    expect(parseFilters('country=FR  channel=ecommerce', ['country', 'channel'])).toEqual({ country: 'FR', channel: 'ecommerce' });
    expect(parseFilters('', ['country'])).toEqual({});
    expect(parseFilters('FR', ['country'])).toBe('write dimension=value, e.g. country=FR');
  });

  it('drills from a point into its time bucket and from a bar into its dimension value', () => {
    const range = presetRange('1h', now);
    const line = { id: 'r1w1', row: 0, index: 0, title: 'x', refreshMs: 1, config: { type: 'line' as const, width: 1, metric: 'decline_rate', top: 4 } };
    const point = drillTarget(line, { kind: 'series', x: ['2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z'], series: [{ name: 'decline_rate', values: [0.1, 0.2] }], format: 'percent', grain: 'minute' }, { selected: 1, page: 0 }, range);
    expect(point).toMatchObject({ metric: 'decline_rate', dimensions: {}, from: new Date('2026-11-25T10:01:00Z'), to: new Date('2026-11-25T10:02:00Z') });
    const bar = { ...line, config: { type: 'bar' as const, width: 1, metric: 'decline_rate', by: 'channel', top: 8 } };
    expect(drillTarget(bar, { kind: 'bars', bars: [{ label: 'atm', segments: [] }], stacks: [], format: 'percent' }, { selected: 0, page: 0 }, range)).toMatchObject({ dimensions: { channel: 'atm' }, from: range.from, to: range.to });
  });

  it('reads the population of a ratio, with the selection and the applicable filters', () => {
    const sql = drillSql(metrics, { label: '', metric: 'decline_rate', dimensions: { channel: 'atm' }, from: new Date('2026-11-25T10:00:00Z'), to: new Date('2026-11-25T11:00:00Z') }, { country: 'FR', severity: 'high' });
    expect(sql).toContain('FROM "transactions" AS rows');
    expect(sql).toContain(`CAST("channel" AS VARCHAR) = 'atm'`);
    expect(sql).toContain(`CAST("country" AS VARCHAR) = 'FR'`);
    expect(sql).not.toContain('severity');
    expect(sql).not.toContain(`status = 'declined'`); // the denominator's rows: every transaction
  });
});
