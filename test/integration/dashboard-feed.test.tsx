/**
 * The dashboard's live-feed client against a real WebSocket server (ws) that speaks the feed
 * contract (hello, result, status): discovery through .analytics/feed.json, widgets updated from
 * results within a second, "stale since …" when the server goes silent or away, reconnection
 * with backoff, and state kept across the outage. The ingest daemon's own feed is built on
 * another branch; this server stands in for the contract, not for the daemon.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FeedClient, type FeedState } from '../../src/streams/feed-client.js';
import { parseDashboard } from '../../src/dashboard/load.js';
import { DashboardStore } from '../../src/dashboard/store.js';
import type { LogData, SeriesData } from '../../src/dashboard/data/types.js';
import { App } from '../../src/dashboard/ui/App.js';
import { INITIAL_UI } from '../../src/dashboard/ui/Screen.js';
import { loadMetrics } from '../../src/metrics/service.js';
import type { Workspace } from '../../src/workspace/workspace.js';
import { tempWorkspace } from '../support/workspace.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** A feed server on a port of its own: hello on connect, status every `statusEveryMs` unless silenced. */
class ContractServer {
  server!: WebSocketServer;
  clients = new Set<WebSocket>();
  subscriptions: unknown[] = [];
  silent = false;
  private timer: NodeJS.Timeout | undefined;

  async start(port = 0): Promise<number> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port, path: '/feed' });
    await new Promise((resolve) => this.server.once('listening', resolve));
    this.server.on('connection', (socket) => {
      this.clients.add(socket);
      socket.on('close', () => this.clients.delete(socket));
      socket.on('message', (raw) => this.subscriptions.push(JSON.parse(String(raw))));
      socket.send(JSON.stringify({ type: 'hello', streams: [{ name: 'tx_per_minute', kind: 'window', columns: [{ name: 'window_start', sql_type: 'TIMESTAMPTZ' }, { name: 'country', sql_type: 'VARCHAR' }, { name: 'transactions', sql_type: 'BIGINT' }] }], server_time: new Date().toISOString() }));
    });
    this.timer = setInterval(() => {
      if (!this.silent) this.broadcast({ type: 'status', server_time: new Date().toISOString(), events_per_second: 42, lag: 3, watermarks: {}, lake_version: 7 });
    }, 200);
    return (this.server.address() as AddressInfo).port;
  }

  broadcast(message: unknown): void {
    for (const client of this.clients) client.send(JSON.stringify(message));
  }

  result(row: Record<string, unknown>, op: 'insert' | 'update' = 'insert'): void {
    this.broadcast({ type: 'result', stream: 'tx_per_minute', op, row, emitted_at: new Date().toISOString() });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const client of this.clients) client.terminate();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const BOARD = `title: Live
filters: [country]
min_columns: 100
min_rows: 30
rows:
  - height: 12
    widgets:
      - { type: line, stream: tx_per_minute, x: window_start, y: [transactions], title: Per minute }
      - { type: log, stream: tx_per_minute, fields: [window_start, country, transactions], title: Results }
  - height: 8
    widgets:
      - { type: status, title: Status, checks: false, metrics_port: 1 }
`;

describe('live feed', () => {
  let workspace: Workspace;
  let cleanup: () => Promise<void>;
  const server = new ContractServer();
  let port: number;

  beforeAll(async () => {
    ({ workspace, cleanup } = await tempWorkspace('analytics-feed-'));
    port = await server.start();
    await mkdir(path.join(workspace.root, '.analytics'), { recursive: true });
    await writeFile(path.join(workspace.root, '.analytics', 'feed.json'), JSON.stringify({ url: `ws://127.0.0.1:${port}/feed`, pid: process.pid, started_at: new Date().toISOString() }));
  });
  afterAll(async () => {
    await server.stop().catch(() => {});
    await cleanup();
  });

  it('updates stream widgets within a second, says "stale since" when the feed is lost, reconnects and keeps its rows', async () => {
    const dashboard = { name: 'live', ...parseDashboard(BOARD, 'live.yaml', { metrics: await loadMetrics(workspace), tables: [], streams: undefined }) };
    const feed = new FeedClient({ workspaceRoot: workspace.root, streams: ['tx_per_minute'], heartbeatTimeoutMs: 1_000, backoffStartMs: 100, backoffMaxMs: 400 });
    const store = new DashboardStore(workspace, dashboard, { feed });
    const app = render(<App workspace={workspace} store={store} initialUi={INITIAL_UI} outputDir={workspace.resolve('exports')} size={{ columns: 100, lines: 30 }} />);
    store.start();
    try {
      await until(() => store.getSnapshot().feed?.state === 'live', 'the feed to be live');
      await until(() => server.subscriptions.length > 0, 'the subscription');
      expect(server.subscriptions).toContainEqual({ type: 'subscribe', streams: ['tx_per_minute'] });
      expect(store.getSnapshot().feed?.streams.map((stream) => stream.name)).toEqual(['tx_per_minute']);

      // Given results arriving, the widgets show them within a second.
      server.result({ window_start: '2026-11-25T10:00:00.000Z', country: 'FR', transactions: 10 });
      server.result({ window_start: '2026-11-25T10:01:00.000Z', country: 'FR', transactions: 25 });
      const waited = await until(() => (app.lastFrame() ?? '').includes('2026-11-25 10:01:00  FR  25'), 'the results on screen');
      expect(waited).toBeLessThan(1_000);
      const series = store.getSnapshot().widgets.r1w1!.result!.data as SeriesData;
      expect(series.series[0]).toEqual({ name: 'transactions', values: [10, 25] });

      // An update revises the emitted row instead of adding one.
      server.result({ window_start: '2026-11-25T10:01:00.000Z', country: 'FR', transactions: 27 }, 'update');
      await until(() => ((store.getSnapshot().widgets.r1w2!.result!.data as LogData).rows[0]?.transactions) === 27, 'the update');
      expect((store.getSnapshot().widgets.r1w2!.result!.data as LogData).rows).toHaveLength(2);
      await until(() => /Feed +live · 42 ev\/s/.test(app.lastFrame() ?? ''), 'the status panel to show the feed');

      // When the server goes silent, the client gives up on it after the heartbeat timeout.
      server.silent = true;
      await until(() => store.getSnapshot().feed?.state === 'stale', 'the feed to go stale', 5_000);
      const since = store.getSnapshot().feed!.since!;
      const clock = since.toISOString().slice(11, 19);
      await until(() => (app.lastFrame() ?? '').includes(`stale since ${clock}`), 'the stale note');
      expect(app.lastFrame()).toContain('2026-11-25 10:01:00  FR  27'); // the rows stay on screen

      // Then the server goes away altogether and comes back on the same port: the client reconnects.
      await server.stop();
      server.silent = false;
      await sleep(300);
      expect(store.getSnapshot().feed?.state).toBe('stale');
      await server.start(port);
      await until(() => store.getSnapshot().feed?.state === 'live', 'the reconnection', 10_000);
      expect(store.getSnapshot().feed!.reconnects).toBeGreaterThanOrEqual(1);
      server.result({ window_start: '2026-11-25T10:02:00.000Z', country: 'DE', transactions: 5 });
      await until(() => (app.lastFrame() ?? '').includes('2026-11-25 10:02:00  DE  5'), 'a result after the reconnection');
      expect((store.getSnapshot().widgets.r1w2!.result!.data as LogData).rows).toHaveLength(3);

      // The global filter applies to stream rows too.
      store.setFilters({ country: 'DE' });
      await until(() => (store.getSnapshot().widgets.r1w2!.result!.data as LogData).rows.length === 1, 'the filter');
    } finally {
      store.stop();
      app.unmount();
    }
  });

  it('reports an absent feed and keeps looking for one', async () => {
    const { workspace: empty, cleanup: done } = await tempWorkspace('analytics-nofeed-');
    const states: FeedState['state'][] = [];
    const feed = new FeedClient({ workspaceRoot: empty.root, streams: ['*'], backoffStartMs: 50, backoffMaxMs: 100 });
    feed.on('state', (state: FeedState) => states.push(state.state));
    feed.start();
    try {
      await until(() => states.includes('absent'), 'absent');
      await mkdir(path.join(empty.root, '.analytics'), { recursive: true });
      await writeFile(path.join(empty.root, '.analytics', 'feed.json'), JSON.stringify({ url: `ws://127.0.0.1:${port}/feed`, pid: 1, started_at: '' }));
      await until(() => feed.state.state === 'live', 'the feed found later');
    } finally {
      feed.stop();
      await done();
    }
  });
});
