/**
 * The dashboard over a real lake: the store's answers checked against counts derived from the
 * ingested sample events, and every interaction driven through the real App with
 * ink-testing-library (keys in, frames and files out).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KpiData, LogData, MapData, SeriesData } from '../../src/dashboard/data/types.js';
import { loadDashboard, type LoadedDashboard } from '../../src/dashboard/load.js';
import { renderOnce } from '../../src/dashboard/run.js';
import { DashboardStore } from '../../src/dashboard/store.js';
import { App } from '../../src/dashboard/ui/App.js';
import { INITIAL_UI } from '../../src/dashboard/ui/Screen.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { DASHBOARD_NOW, dashboardWorkspace } from '../support/dashboard-workspace.js';

const COUNT = 2_000;
/** Sample transaction n: second n after midnight, country DE, US, GB, FR in turn, declined when n % 13 == 0. */
const countries = ['DE', 'US', 'GB', 'FR'];
const inSeconds = (from: number, to: number, keep: (n: number) => boolean = () => true) => Array.from({ length: COUNT }, (_, n) => n).filter((n) => n >= from && n < to && keep(n)).length;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let screen: () => string = () => '';

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${screen()}`);
    await sleep(25);
  }
}

describe('dashboard over a real lake', () => {
  let dir: string;
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  let dashboard: LoadedDashboard;

  beforeAll(async () => {
    ({ dir, workspace, cleanup } = await dashboardWorkspace());
    dashboard = await loadDashboard(workspace, 'test');
  });
  afterAll(() => cleanup());

  it('answers every widget from the lake; a failing query stays inside its widget', async () => {
    const store = new DashboardStore(workspace, dashboard, { now: () => DASHBOARD_NOW, emitEveryMs: 0 });
    await store.refreshAll();
    const widgets = store.getSnapshot().widgets;
    const kpi = widgets.r1w1!.result!.data as KpiData;
    expect(kpi.value).toBe(COUNT); // all 2,000 fall in 23:41–00:41
    const rate = widgets.r1w2!.result!.data as KpiData;
    expect(rate.value).toBeCloseTo(inSeconds(0, COUNT, (n) => n % 13 === 0) / COUNT, 12);
    const map = widgets.r2w2!.result!.data as MapData;
    expect(Object.fromEntries(map.values.map((entry) => [entry.country, entry.value]))).toEqual({ DE: 500, US: 500, GB: 500, FR: 500 });
    const line = widgets.r2w1!.result!.data as SeriesData;
    expect(line.x).toHaveLength(60);
    expect(line.series.map((series) => series.name).sort()).toEqual(['DE', 'FR', 'GB', 'US']);
    const minute = line.x.indexOf('2026-11-24T00:05:00.000Z');
    expect(line.series.find((series) => series.name === 'FR')!.values[minute]).toBe(inSeconds(300, 360, (n) => countries[n % 4] === 'FR'));
    expect(widgets.r4w2!.status).toBe('error');
    expect(widgets.r4w2!.error).toMatch(/no_such_column/);
    expect(widgets.r3w3!.status).toBe('ready');
    expect(widgets.r4w1!.result!.data).toMatchObject({ kind: 'log' });
    expect((widgets.r4w1!.result!.data as { rows: unknown[] }).rows).toHaveLength(40);
  });

  it('applies a global filter exactly, also to ratios, and says where it cannot', async () => {
    const store = new DashboardStore(workspace, dashboard, { now: () => DASHBOARD_NOW, emitEveryMs: 0, filters: { country: 'FR' } });
    await store.refreshAll();
    const widgets = store.getSnapshot().widgets;
    expect((widgets.r1w1!.result!.data as KpiData).value).toBe(500);
    expect((widgets.r1w2!.result!.data as KpiData).value).toBeCloseTo(inSeconds(0, COUNT, (n) => n % 4 === 3 && n % 13 === 0) / 500, 12);
    expect((widgets.r4w1!.result!.data as LogData).rows).toHaveLength(10);
    store.setFilters({ severity: 'critical' });
    await sleep(10);
    await store.idle();
    expect(store.getSnapshot().widgets.r1w1!.result!.ignoredFilters).toEqual(['severity']);
    expect((store.getSnapshot().widgets.r4w1!.result!.data as LogData).rows.map((row) => row.severity)).toEqual(Array(10).fill('critical'));
  });

  it('switches the time range and answers unchanged data from the cache', async () => {
    const store = new DashboardStore(workspace, dashboard, { now: () => DASHBOARD_NOW, emitEveryMs: 0, range: '15m' });
    await store.refreshAll();
    // 15m ending with the minute of 00:40: 00:26–00:41; events run to second 1,999 (00:33:19).
    expect((store.getSnapshot().widgets.r1w1!.result!.data as KpiData).value).toBe(inSeconds(26 * 60, 41 * 60));
    store.refresh();
    await sleep(10);
    await store.idle();
    expect(store.getSnapshot().widgets.r1w1!.result!.cached).toBe(true);
    store.setRange('7d');
    await sleep(10);
    await store.idle();
    expect(store.getSnapshot().range.grain).toBe('hour');
    expect((store.getSnapshot().widgets.r1w1!.result!.data as KpiData).value).toBe(COUNT);
  });

  it('prints one frame with every widget', async () => {
    const text = await renderOnce(workspace, dashboard, { columns: 160, lines: 50 }, { range: '1h' });
    const lines = text.split('\n');
    expect(lines).toHaveLength(50);
    expect(lines.every((line) => [...line].length <= 160)).toBe(true);
    for (const title of ['Transactions', 'Decline rate', 'Per country', 'Map', 'Bars', 'Merchants', 'Status', 'Alerts', 'Broken']) expect(text).toContain(title);
    expect(text).toContain('no_such_column');
  });

  describe('keyboard', () => {
    const columns = 100; // ink-testing-library's terminal is 100 columns wide
    const lines = 50;
    let store: DashboardStore;
    let app: ReturnType<typeof render>;
    let quits = 0;
    const outputDir = () => path.join(dir, 'exports');
    const frame = () => app.lastFrame() ?? '';
    const press = async (keys: string) => {
      app.stdin.write(keys);
      await sleep(60);
    };
    const type = async (text: string) => {
      for (const char of text) await press(char);
    };

    beforeAll(async () => {
      screen = frame;
      store = new DashboardStore(workspace, dashboard, { now: () => DASHBOARD_NOW });
      app = render(<App workspace={workspace} store={store} initialUi={INITIAL_UI} outputDir={outputDir()} size={{ columns, lines }} onQuit={() => quits++} />);
      store.start();
      await until(() => Object.values(store.getSnapshot().widgets).every((widget) => !widget.refreshing), 'the first answers');
      await sleep(100);
    });
    afterAll(() => {
      store.stop();
      app.unmount();
    });

    it('opens and closes the help overlay with ?', async () => {
      await press('?');
      expect(frame()).toContain('Keys');
      expect(frame()).toContain('drill down: the events behind the selection');
      await press('\u001B');
      expect(frame()).not.toContain('drill down: the events behind the selection');
    });

    it('filters every widget from the filter bar, and refuses a dimension it does not offer', async () => {
      await press('f');
      expect(frame()).toContain('filter> █');
      await type('colour=red');
      await press('\r');
      expect(frame()).toContain('"colour" is not a filter of this dashboard (country, channel, severity)');
      for (let n = 0; n < 'colour=red'.length; n++) await press('\u007F');
      await type('country=GB');
      await press('\r');
      expect(frame()).toContain('Filters: country=GB');
      await until(() => (store.getSnapshot().widgets.r1w1!.result?.data as KpiData | undefined)?.value === 500 && !store.getSnapshot().widgets.r1w1!.refreshing, 'the filtered KPI');
      await sleep(100);
      expect(frame()).toMatch(/Transactions[^\n]*\n[^\n]*500/);
    });

    it('switches the time range with the number keys and t', async () => {
      await press('1');
      const kpi = () => (store.getSnapshot().widgets.r1w1!.result?.data as KpiData | undefined)?.value;
      await until(() => store.getSnapshot().range.name === '15m' && kpi() === inSeconds(26 * 60, 41 * 60, (n) => n % 4 === 2), '15m');
      await sleep(100);
      expect(frame()).toContain('last 15m (00:26–00:41 UTC)');
      await press('t');
      await type('2026-11-24T00:10 2026-11-24T00:20');
      await press('\r');
      await until(() => store.getSnapshot().range.name === 'custom' && kpi() === inSeconds(600, 1200, (n) => n % 4 === 2), 'custom range');
      await sleep(100);
      expect(frame()).toContain('2026-11-24 00:10 – 2026-11-24 00:20 UTC');
      expect((store.getSnapshot().widgets.r1w1!.result!.data as KpiData).value).toBe(inSeconds(600, 1200, (n) => n % 4 === 2));
      await press('2');
      await until(() => store.getSnapshot().range.name === '1h' && kpi() === 500 && Object.values(store.getSnapshot().widgets).every((widget) => !widget.refreshing), '1h');
      await sleep(300);
    });

    it('moves the focus and drills down from a bar into the events behind it', async () => {
      // Focus order follows the grid: KPI, KPI, line, map, bars…
      await press('\t\t\t\t'); // four Tabs in one chunk, as a busy terminal delivers them
      await until(() => frame().includes('›GB'), 'the selected bar');
      await press('\r');
      await until(() => frame().includes('Bars: country = GB') && frame().includes('500 events'), 'the drill-down');
      expect(frame()).toMatch(/occurred_at/);
      await press('e');
      await until(() => frame().includes('exported 500 rows'), 'the drill-down export');
      await press('\u001B');
      await until(() => !frame().includes('Bars: country = GB'), 'the drill-down to close');
    });

    it('drills down from a map country', async () => {
      await press('\u001B[Z'); // Shift+Tab back to the map
      await until(() => frame().includes('› United Kingdom (GB) 500'), 'the selected country');
      await press('\r');
      await until(() => frame().includes('Map: country = GB') && frame().includes('500 events'), 'the map drill-down');
      await press('\u001B');
      await until(() => !frame().includes('Map: country = GB'), 'the drill-down to close');
    });

    it('exports the focused widget to CSV and JSON and saves a screen snapshot', async () => {
      await press('\t'); // back to the bars
      await press('e');
      await until(() => /exported 1 row to r3w1-bars-\S+\.csv/.test(frame()), 'the CSV export');
      await press('E');
      await until(() => /exported 1 row to r3w1-bars-\S+\.json/.test(frame()), 'the JSON export');
      await press('p');
      await until(() => /screen saved to dashboard-\S+\.txt/.test(frame()), 'the snapshot');
      const files = await readdir(outputDir());
      const csv = files.find((file) => file.startsWith('r3w1-bars') && file.endsWith('.csv'))!;
      expect(readFileSync(path.join(outputDir(), csv), 'utf8')).toBe('country,transaction_count\nGB,500\n');
      const json = files.find((file) => file.startsWith('r3w1-bars') && file.endsWith('.json'))!;
      expect(JSON.parse(readFileSync(path.join(outputDir(), json), 'utf8'))).toEqual([{ country: 'GB', transaction_count: 500 }]);
      const snapshot = readFileSync(path.join(outputDir(), files.find((file) => file.endsWith('.txt'))!), 'utf8');
      expect(snapshot).toContain('Test board');
      expect(snapshot).toContain('Filters: country=GB');
      expect(snapshot).not.toContain('\u001b[');
    });

    it('sorts and pages a table', async () => {
      await press('\t'); // the merchants table
      await press('s');
      expect(frame()).toMatch(/merchant_id↓/);
      await press('S');
      expect(frame()).toMatch(/merchant_id↑/);
      await press('\u001B[6~'); // PgDn
      expect(frame()).toMatch(/page 2\//);
      // A row drills down into its merchant's events (GB only: the filter still applies).
      await press('\r');
      await until(() => /Merchants: merchant_id = m-\d+ · \d+ events/.test(frame()), 'the row drill-down');
      expect(frame()).toMatch(/GB/);
      expect(frame()).not.toMatch(/ FR /);
      await press('\u001B');
      await until(() => !frame().includes('Merchants: merchant_id'), 'the drill-down to close');
    });

    it('saves a view with w', async () => {
      await press('w');
      await type('gb-view');
      await press('\r');
      await until(() => frame().includes('view saved to'), 'the saved view');
      const saved = JSON.parse(readFileSync(path.join(dir, 'dashboards', 'views', 'gb-view.json'), 'utf8')) as Record<string, unknown>;
      expect(saved).toMatchObject({ dashboard: 'test', time_range: '1h', filters: { country: 'GB' }, focus: 'r3w2', zoom: false });
      expect(frame()).toContain('view gb-view');
    });

    it('zooms the focused widget and quits with q', async () => {
      await press('z');
      expect(frame()).not.toContain('Alerts');
      await press('z');
      expect(frame()).toContain('Alerts');
      await press('q');
      expect(quits).toBe(1);
      expect(existsSync(outputDir())).toBe(true);
    });
  });
});
