/** Every widget as an Ink component, rendered with ink-testing-library from plain data. */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { PlacedWidget } from '../../../src/dashboard/load.js';
import type { WidgetState } from '../../../src/dashboard/store.js';
import { WidgetPanel } from '../../../src/dashboard/ui/WidgetPanel.js';
import { BarChart } from '../../../src/dashboard/ui/widgets/BarChart.js';
import { DataTable } from '../../../src/dashboard/ui/widgets/DataTable.js';
import { EventLog } from '../../../src/dashboard/ui/widgets/EventLog.js';
import { KpiTile } from '../../../src/dashboard/ui/widgets/KpiTile.js';
import { axisLabel, LineChart } from '../../../src/dashboard/ui/widgets/LineChart.js';
import { applyTemplate, QueryRows } from '../../../src/dashboard/ui/widgets/QueryRows.js';
import { StatusPanel } from '../../../src/dashboard/ui/widgets/StatusPanel.js';
import { WorldMap } from '../../../src/dashboard/ui/widgets/WorldMap.js';
import { EMPTY_VIEW } from '../../../src/dashboard/ui/widgets/props.js';
import type { FeedState } from '../../../src/streams/feed-client.js';

const frame = (element: React.ReactElement) => {
  const { lastFrame, unmount } = render(element);
  const text = lastFrame() ?? '';
  unmount();
  return text;
};

describe('KPI tile', () => {
  it('shows the value, its status, the change, the target and a sparkline', () => {
    const text = frame(<KpiTile data={{ kind: 'kpi', value: 0.8731, previous: 0.8722, change: 0.0009, target: 0.9, status: 'amber', format: 'percent', series: [1, 2, 3, 4, 3] }} width={30} height={3} />);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^● 87\.31% +▲ 0\.09%/);
    expect(lines[1]).toMatch(/^target 90\.00%/);
    expect(lines[2]).toMatch(/^▁▃▆█▆/);
  });

  it('marks a missing value as no data', () => {
    const text = frame(<KpiTile data={{ kind: 'kpi', value: null, previous: null, change: null, target: 5, status: 'no_data', format: 'number', series: [] }} width={20} height={2} />);
    expect(text).toMatch(/^○ –/);
  });
});

describe('line chart', () => {
  const data = { kind: 'series' as const, x: ['2026-11-24T00:00:00.000Z', '2026-11-24T00:01:00.000Z', '2026-11-24T00:02:00.000Z'], series: [{ name: 'approved', values: [10, 20, 15] }, { name: 'declined', values: [1, 2, 0] }], format: 'number' as const, grain: 'minute' };

  it('draws several series with an axis and a legend', () => {
    const text = frame(<LineChart data={data} width={50} height={8} selected={2} focused={false} />);
    expect(text).toContain('┤');
    expect(text).toMatch(/00:00 +00:02/);
    expect(text).toContain('── approved');
    expect(text).toContain('── declined');
  });

  it('marks the selected point and shows its values when focused', () => {
    const text = frame(<LineChart data={data} width={50} height={8} selected={1} focused />);
    expect(text).toContain('▲');
    expect(text).toContain('00:01: approved 20  declined 2');
  });

  it('keeps axis labels short', () => {
    expect(axisLabel(160.6154, 'number')).toBe('161');
    expect(axisLabel(0.873, 'percent')).toBe('87.3%');
    expect(axisLabel(1_234_567, 'currency')).toBe('1.2M');
  });
});

describe('bar chart', () => {
  const data = {
    kind: 'bars' as const,
    bars: [
      { label: 'ecommerce', segments: [{ name: 'captured', value: 80 }, { name: 'declined', value: 20 }] },
      { label: 'atm', segments: [{ name: 'captured', value: 30 }] },
    ],
    stacks: ['captured', 'declined'],
    format: 'number' as const,
  };

  it('draws stacked bars in proportion, with totals and a legend', () => {
    const lines = frame(<BarChart data={data} width={40} height={4} selected={0} focused={false} />).split('\n');
    expect(lines[0]).toMatch(/^ ecommerce +█+▓+ +100$/);
    expect(lines[1]).toMatch(/^ atm +█+ +30$/);
    expect((lines[0]!.match(/[█▓]/g) ?? []).length).toBeGreaterThan(2.5 * (lines[1]!.match(/█/g) ?? []).length);
    expect(lines[2]).toContain('█ captured  ▓ declined');
  });

  it('marks the selected bar when focused', () => {
    expect(frame(<BarChart data={data} width={40} height={4} selected={1} focused />).split('\n')[1]).toMatch(/^›atm/);
  });
});

describe('table', () => {
  const data = { kind: 'table' as const, columns: ['merchant_id', 'n'], rows: Array.from({ length: 12 }, (_, n) => ({ merchant_id: `m-${n}`, n: n * 10 })), format: 'number' as const, valueColumn: 'n' };

  it('pages the rows and says where it is', () => {
    const text = frame(<DataTable data={data} width={30} height={6} selected={0} page={1} focused={false} pageLimit={50} />);
    expect(text.split('\n')[1]).toMatch(/^m-4 +40/);
    expect(text).toContain('page 2/3 · 12 rows');
  });

  it('sorts by a column in either direction', () => {
    const down = frame(<DataTable data={data} width={30} height={6} selected={0} page={0} sort={{ column: 'n', descending: true }} focused pageLimit={50} />);
    expect(down.split('\n')[0]).toMatch(/n↓/);
    expect(down.split('\n')[1]).toMatch(/^m-11 +110/);
    const up = frame(<DataTable data={data} width={30} height={6} selected={0} page={0} sort={{ column: 'merchant_id', descending: false }} focused pageLimit={50} />);
    expect(up.split('\n')[1]).toMatch(/^m-0 /);
    expect(up.split('\n')[2]).toMatch(/^m-1 /);
  });
});

describe('map', () => {
  it('shades countries by value and names the selected one', () => {
    const data = { kind: 'map' as const, mode: 'choropleth' as const, values: [{ country: 'US', value: 300 }, { country: 'FR', value: 100 }], points: [], format: 'number' as const };
    const text = frame(<WorldMap data={data} width={80} height={16} selected={1} focused />);
    expect(text).toMatch(/[⠁-⣿]/);
    expect(text).toContain('█');
    expect(text).toContain('› France (FR) 100 · 2/2 · Enter: events');
  });

  it('plots points by coordinates', () => {
    const data = { kind: 'map' as const, mode: 'points' as const, values: [], points: [{ lat: 48.85, lon: 2.35, value: null }, { lat: 40.7, lon: -74, value: null }], format: 'number' as const };
    const text = frame(<WorldMap data={data} width={80} height={16} selected={0} focused={false} />);
    expect((text.match(/●/g) ?? []).length).toBe(2);
    expect(text).toContain('2 points');
  });
});

describe('event log', () => {
  it('lists the latest events, one line each', () => {
    const rows = [{ occurred_at: '2026-11-24T00:01:00.000Z', severity: 'critical', category: 'malware' }, { occurred_at: '2026-11-24T00:00:00.000Z', severity: 'low', category: 'failed_login' }];
    const lines = frame(<EventLog data={{ kind: 'log', fields: ['occurred_at', 'severity', 'category'], rows, severityField: 'severity' }} width={60} height={5} selected={0} focused={false} />).split('\n');
    expect(lines[0]).toMatch(/^2026-11-24 00:01:00 +critical +malware/);
    expect(lines[1]).toMatch(/^2026-11-24 00:00:00 +low +failed_login/);
  });
});

describe('status panel', () => {
  const data = { kind: 'status' as const, daemonPort: 9464, daemon: { state: 'running', eventsPerSecond: 1234, lag: 56, lastCommitAt: '2026-11-24T00:01:02.000Z', port: 9464 }, lastRun: null, checks: { passed: 12, failed: 1, warned: 0, errored: 0, failing: ['fresh_transactions'], at: '' }, lakeVersion: 42 };

  it('shows ingest rate and lag, the feed, pipeline runs and checks', () => {
    const feed: FeedState = { state: 'stale', url: 'ws://x', lastMessageAt: new Date('2026-11-24T00:01:00Z'), since: new Date('2026-11-24T00:01:00Z'), streams: [], status: null, reconnects: 0 };
    const text = frame(<StatusPanel data={data} feed={feed} width={70} height={6} />);
    expect(text).toMatch(/Ingest +running · 1,234 ev\/s · lag 56/);
    expect(text).toMatch(/Commit +last 00:01:02 · lake v42/);
    expect(text).toMatch(/Feed +stale since 00:01:00 · reconnecting/);
    expect(text).toMatch(/Pipeline +no pipeline runs/);
    expect(text).toMatch(/Checks +12 passed · failing: fresh_transactions/);
  });

  it('says when no daemon answers', () => {
    expect(frame(<StatusPanel data={{ ...data, daemon: null }} feed={null} width={70} height={6} />)).toMatch(/Ingest +no daemon on :9464/);
  });
});

describe('custom query widget', () => {
  it('renders rows through the template', () => {
    const rows = [{ decision: 'approve', n: 10 }, { decision: 'review', n: 2 }];
    expect(applyTemplate('{decision}: {n} ({missing})', rows[0]!)).toBe('approve: 10 ({missing})');
    const text = frame(<QueryRows data={{ kind: 'rows', columns: ['decision', 'n'], rows, template: '{decision}: {n}' }} width={30} height={3} selected={0} focused={false} />);
    expect(text.split('\n').map((line) => line.trimEnd())).toEqual(['approve: 10', 'review: 2']);
  });
});

describe('widget frame', () => {
  const widget: PlacedWidget = { id: 'r1w1', row: 0, index: 0, title: 'Declines', refreshMs: 10_000, config: { type: 'query', width: 1, sql: 'SELECT 1' } };
  const panel = (state: WidgetState, feed: FeedState | null = null, placed: PlacedWidget = widget) =>
    frame(<WidgetPanel widget={placed} state={state} outerWidth={40} outerHeight={6} width={38} height={3} focused={false} view={EMPTY_VIEW} feed={feed} spinner="⠋" />);

  it('shows a spinner while the first answer is awaited', () => {
    expect(panel({ status: 'loading', refreshing: true })).toMatch(/Declines +⠋[\s\S]*⠋ loading…/);
  });

  it('shows a failed query inside the widget, and keeps the last data under the error', () => {
    expect(panel({ status: 'error', refreshing: false, error: 'Binder Error: no column "x"' })).toContain('Binder Error: no column "x"');
    const kept = panel({ status: 'error', refreshing: false, error: 'lake busy', result: { data: { kind: 'rows', columns: ['a'], rows: [{ a: 'last good' }] }, export: { columns: [], rows: [] }, ignoredFilters: [], cached: false } });
    expect(kept).toContain('refresh failed');
    expect(kept).toContain('lake busy');
    expect(kept).toContain('last good');
  });

  it('says which global filters a widget cannot apply', () => {
    expect(panel({ status: 'ready', refreshing: false, result: { data: { kind: 'rows', columns: [], rows: [] }, export: { columns: [], rows: [] }, ignoredFilters: ['severity'], cached: true } })).toContain('filter severity n/a');
  });

  it('says since when a live-feed widget is stale', () => {
    const streamWidget: PlacedWidget = { ...widget, config: { type: 'log', width: 1, stream: 'fraud_joined', limit: 100 } };
    const feed: FeedState = { state: 'stale', url: 'ws://x', lastMessageAt: new Date('2026-11-24T10:00:05Z'), since: new Date('2026-11-24T10:00:05Z'), streams: [], status: null, reconnects: 1 };
    const text = panel({ status: 'ready', refreshing: false, result: { data: { kind: 'log', fields: ['a'], rows: [{ a: 'kept row' }] }, export: { columns: [], rows: [] }, ignoredFilters: [], cached: false } }, feed, streamWidget);
    expect(text).toContain('stale since 10:00:05');
    expect(text).toContain('kept row');
  });

  it('says why a live-feed widget has no results yet: no feed, one frame, connecting, stale, waiting', () => {
    const streamWidget: PlacedWidget = { ...widget, config: { type: 'log', width: 1, stream: 'tx_per_minute', limit: 100 } };
    const empty: WidgetState = { status: 'ready', refreshing: false, result: { data: { kind: 'log', fields: ['a'], rows: [] }, export: { columns: [], rows: [] }, ignoredFilters: [], cached: false } };
    const feed = (state: FeedState['state']): FeedState => ({ state, url: null, lastMessageAt: null, since: new Date('2026-11-24T10:00:05Z'), streams: [], status: null, reconnects: 0 });
    expect(panel(empty, feed('absent'), streamWidget)).toMatch(/Declines +no live feed[\s\S]*no live feed: run analytics ingest/);
    expect(panel(empty, null, streamWidget)).toMatch(/Declines +no live feed[\s\S]*no live feed in a one-frame/);
    expect(panel(empty, feed('connecting'), streamWidget)).toContain('connecting to the live feed');
    expect(panel(empty, feed('stale'), streamWidget)).toMatch(/stale since 10:00:05[\s\S]*stale since 10:00:05: reconnecting/);
    expect(panel(empty, feed('live'), streamWidget)).toContain('waiting for tx_per_minute results');
    expect(panel(empty, feed('live'), streamWidget)).not.toContain('no events in this range');
  });
});

describe('colours', () => {
  it('degrade with the colour level: none at level 0, basic 16-colour codes at level 1', async () => {
    const chalk = (await import('chalk')).default;
    const { mapLine } = await import('../../../src/dashboard/ui/widgets/WorldMap.js');
    const row = [{ char: '█', shade: 4 }, { char: '░', shade: 1 }, { char: '⠁', shade: 0 }];
    const level = chalk.level;
    try {
      chalk.level = 0;
      expect(mapLine(row, false)).toBe('█░⠁');
      chalk.level = 1;
      const coloured = mapLine(row, true);
      expect(coloured).toContain('\u001b[31m█'); // red, a basic colour
      expect(coloured).toContain('\u001b[34m░'); // blue
      expect(coloured).not.toContain('\u001b[38;'); // no 256-colour or truecolour codes
    } finally {
      chalk.level = level;
    }
  });
});
