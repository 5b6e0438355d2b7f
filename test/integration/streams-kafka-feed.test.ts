/**
 * The live feed end to end: a real broker, the real daemon process with the default stream
 * jobs, a real WebSocket client and the real `analytics stream tail`. A window result arrives
 * after the watermark passes the window's end, a pattern match arrives as a derived event, a
 * status arrives every second, the metrics endpoint shows the stream state, and the lake table
 * holds what the feed pushed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToString } from 'ink';
import { loadDashboard } from '../../src/dashboard/load.js';
import { feedFor } from '../../src/dashboard/run.js';
import { DashboardStore, widgetStream } from '../../src/dashboard/store.js';
import { INITIAL_UI, Screen } from '../../src/dashboard/ui/Screen.js';
import type { FeedClient, FeedResult, FeedState } from '../../src/streams/feed-client.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import type { ServerMessage } from '../../src/streams/feed-protocol.js';
import { CLI, queryRows, removeTempDirs } from '../support/cli.js';
import { sharedBroker, type KafkaBrokerHandle } from '../support/kafka-broker.js';
import { connectProducer, createTopics, eventually, makeKafkaWorkspace, startDaemon, type DaemonProcess, type KafkaWorkspace, type Producer } from '../support/kafka-ingest.js';
import { takeoverEvents } from '../support/stream-traffic.js';
import { freePort } from '../support/ports.js';


function transaction(id: string, at: number, amount = '10.00', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id, type: 'transaction', version: 1, occurred_at: new Date(at).toISOString(), source: 'payments-api',
    data: { transaction_id: `t-${id}`, account_id: 'acc-1', customer_id: 'c-1', merchant_id: 'm-1', amount, currency: 'USD', status: 'captured', channel: 'ecommerce', country: 'DE', ...extra },
  });
}

describe('live feed of stream results', () => {
  let broker: KafkaBrokerHandle;
  let producer: Producer;
  let workspace: KafkaWorkspace;
  let daemon: DaemonProcess;
  let metricsPort: number;
  const messages: ServerMessage[] = [];
  let client: WebSocket;
  // The default dashboard (as `analytics init` scaffolds it) with its own feed client, against
  // the real daemon (its component tests use a stand-in server).
  let dashboardFeed: FeedClient;
  let dashboardStore: DashboardStore;
  const dashboardResults: FeedResult[] = [];
  const dashboardStates: FeedState['state'][] = [];

  beforeAll(async () => {
    broker = await sharedBroker();
    producer = await connectProducer(broker.brokers);
    workspace = await makeKafkaWorkspace({ batchMaxMs: 200, streams: true });
    await createTopics(broker.brokers, Object.values(workspace.topics), 1);
    metricsPort = await freePort();
    daemon = startDaemon(workspace, broker.brokers, ['--from-beginning', '--metrics-port', String(metricsPort)]);
    await daemon.waitForLog(/^live feed on ws:/);
    const discovery = JSON.parse(await fs.readFile(path.join(workspace.dir, '.analytics', 'feed.json'), 'utf8')) as { url: string; pid: number };
    expect(discovery.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/feed$/);
    client = new WebSocket(discovery.url);
    client.on('message', (data) => messages.push(JSON.parse(String(data)) as ServerMessage));
    await new Promise((resolve, reject) => { client.once('open', resolve); client.once('error', reject); });
    client.send(JSON.stringify({ type: 'subscribe', streams: ['tx_per_minute', 'failed_logins_then_large_tx'] }));
    const opened = await openWorkspace({ workspace: workspace.dir });
    const dashboard = await loadDashboard(opened, 'default');
    dashboardFeed = feedFor(opened, dashboard)!;
    dashboardFeed.on('result', (result: FeedResult) => dashboardResults.push(result));
    dashboardFeed.on('state', (state: FeedState) => dashboardStates.push(state.state));
    dashboardStore = new DashboardStore(opened, dashboard, { feed: dashboardFeed, emitEveryMs: 0 });
    dashboardStore.start();
  });

  afterAll(async () => {
    client?.close();
    dashboardStore?.stop();
    if (daemon && daemon.process.exitCode === null) {
      daemon.process.kill('SIGTERM');
      await daemon.process;
    }
    await producer?.disconnect();
    await broker?.stop();
    await removeTempDirs();
  });

  it('says hello with every stream and its columns, then pushes a status every second', async () => {
    const hello = await eventually(async () => messages.find((message) => message.type === 'hello'), Boolean, 10_000, 50);
    expect(hello).toBeDefined();
    if (hello?.type !== 'hello') return;
    expect(hello.streams.map((stream) => stream.name).sort()).toEqual(['failed_logins_then_large_tx', 'fraud_joined', 'merchant_decline_rate', 'notification_latency', 'tx_per_minute']);
    expect(hello.streams.find((stream) => stream.name === 'tx_per_minute')!.columns.slice(0, 2)).toEqual([{ name: 'window_start', sql_type: 'TIMESTAMPTZ' }, { name: 'window_end', sql_type: 'TIMESTAMPTZ' }]);
    const statuses = await eventually(async () => messages.filter((message) => message.type === 'status'), (list) => list.length >= 2, 10_000, 200);
    expect(statuses[0]).toMatchObject({ type: 'status', lake_version: null });
  });

  it('pushes a window when the watermark passes its end, and the pattern match as a derived event', { timeout: 120_000 }, async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
    const lines = [
      transaction('w1', minute + 5_000, '10.00'),
      transaction('w2', minute + 15_000, '20.50'),
      transaction('w3', minute + 25_000, '30.25'),
      ...takeoverEvents(minute + 3 * 60_000, 'acc-feed', 'feed'),
      // Move the watermark well past both the window and the pattern (+ their lateness): the
      // pattern's watermark is the slower of its two types, so both need a later event.
      transaction('w4', minute + 8 * 60_000, '1.00', { country: 'FR' }),
      JSON.stringify({ id: 'late-alert', type: 'security_alert', version: 1, occurred_at: new Date(minute + 8 * 60_000).toISOString(), source: 'auth', data: { alert_id: 'x', severity: 'low', category: 'new_device', account_id: 'acc-other' } }),
    ];
    const sent = Date.now();
    for (const line of lines) {
      const event = JSON.parse(line) as { type: 'transaction' | 'security_alert'; id: string };
      await producer.send({ topic: workspace.topics[event.type], acks: -1, messages: [{ key: event.id, value: line }] });
    }
    const window = await eventually(async () => messages.find((message) => message.type === 'result' && message.stream === 'tx_per_minute' && message.row.window_start === new Date(minute).toISOString()), Boolean, 60_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}\nmessages: ${JSON.stringify(messages.filter((message) => message.type !== 'status')).slice(0, 2000)}\nstderr: ${daemon.stderr().slice(-4000)}`);
    });
    expect(window).toMatchObject({ type: 'result', op: 'insert', row: { window_end: new Date(minute + 60_000).toISOString(), country: 'DE', channel: 'ecommerce', tx_count: 3, volume: 60.75, revision: 0 } });
    const match = await eventually(async () => messages.find((message) => message.type === 'result' && message.stream === 'failed_logins_then_large_tx'), Boolean, 60_000, 100);
    expect(match).toMatchObject({ type: 'result', op: 'insert', row: { type: 'account_takeover_suspected', version: 1, source: 'stream:failed_logins_then_large_tx', match_key: 'acc-feed', event_ids: ['feed-alert-0', 'feed-alert-1', 'feed-alert-2', 'feed-tx'] } });
    // …and carries the match as an event of the contract's envelope, its fields as data.
    const row = (match as { row: Record<string, unknown> }).row;
    expect((match as { event?: unknown }).event).toEqual({
      id: row.id, type: 'account_takeover_suspected', version: 1, occurred_at: row.occurred_at, source: 'stream:failed_logins_then_large_tx',
      data: { match_key: 'acc-feed', started_at: row.started_at, event_ids: ['feed-alert-0', 'feed-alert-1', 'feed-alert-2', 'feed-tx'] },
    });
    // Only the subscribed streams arrive.
    expect(messages.filter((message) => message.type === 'result' && !['tx_per_minute', 'failed_logins_then_large_tx'].includes(message.stream))).toEqual([]);
    expect(Date.now() - sent).toBeLessThan(30_000);
    // The dashboard's feed client, subscribed to tx_per_minute only, got the same row, live.
    const seen = await eventually(async () => dashboardResults.find((result) => result.row.window_start === new Date(minute).toISOString()), Boolean, 10_000, 100);
    expect(seen).toMatchObject({ stream: 'tx_per_minute', op: 'insert', row: { tx_count: 3, volume: 60.75 } });
    expect(dashboardResults.every((result) => result.stream === 'tx_per_minute')).toBe(true);
    expect(dashboardStates).toContain('live');
    // The default dashboard's stream widget shows it.
    const live = dashboardStore.dashboard.widgets.find((widget) => widgetStream(widget) === 'tx_per_minute')!;
    expect(live.title).toBe('Live tx per minute');
    const state = await eventually(async () => dashboardStore.getSnapshot().widgets[live.id]!, (widget) => widget.result?.data.kind === 'log' && widget.result.data.rows.some((row) => row.window_start === new Date(minute).toISOString()), 10_000, 100);
    expect(state.result?.export.rows).toContainEqual(expect.objectContaining({ window_start: new Date(minute).toISOString(), country: 'DE', channel: 'ecommerce', tx_count: 3, volume: 60.75 }));
    const frame = renderToString(createElement(Screen, { dashboard: dashboardStore.dashboard, snapshot: dashboardStore.getSnapshot(), ui: { ...INITIAL_UI, focus: -1 }, columns: 200, lines: 60, spinner: ' ', now: new Date() }), { columns: 200 });
    const liveLines = frame.split('\n').filter((line) => line.includes(new Date(minute).toISOString().slice(0, 19).replace('T', ' ')));
    expect(liveLines.some((line) => /DE +ecommerce +3 +60\.75/.test(line))).toBe(true);
    expect(frame).not.toContain('no live feed');
    // The lake holds what the feed pushed.
    const rows = await queryRows<{ tx_count: number; volume: number }>(workspace.dir, `SELECT tx_count, volume FROM tx_per_minute WHERE window_start = '${new Date(minute).toISOString()}'`);
    expect(rows).toEqual([{ tx_count: 3, volume: 60.75 }]);
  });

  it('shows the stream state and counters on the metrics endpoint', async () => {
    const report = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).json() as { streams: Record<string, unknown> };
    expect(report.streams).toMatchObject({ jobs: expect.arrayContaining(['tx_per_minute']), feed_clients: 2 }); // the ws client and the dashboard's
    expect(report.streams.analytics_streams_events_processed_total).toBeGreaterThanOrEqual(8);
    expect(report.streams.analytics_streams_results_emitted_total).toBeGreaterThanOrEqual(2);
    expect(Object.keys(report.streams.analytics_streams_state_entries as object).sort()).toEqual(['failed_logins_then_large_tx', 'fraud_joined', 'merchant_decline_rate', 'notification_latency', 'tx_per_minute']);
  });

  it('analytics stream tail prints the feed (NDJSON with --format json)', async () => {
    const tail = execa('node', [CLI, 'stream', 'tail', 'tx_per_minute', '--format', 'json', '--count', '1', '-w', workspace.dir], { reject: false, env: { ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1' } });
    // Give it time to connect, then close the window of the FR event.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    await producer.send({ topic: workspace.topics.transaction, acks: -1, messages: [{ key: 'w5', value: transaction('w5', minute, '2.00', { country: 'FR' }) }] });
    const result = await tail;
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as ServerMessage);
    const results = lines.filter((line) => line.type === 'result');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ type: 'result', stream: 'tx_per_minute', row: { country: 'FR' } });
  });

  it('removes feed.json when the daemon stops', async () => {
    daemon.process.kill('SIGTERM');
    const stopped = await daemon.process;
    expect(stopped.exitCode).toBe(0);
    await expect(fs.stat(path.join(workspace.dir, '.analytics', 'feed.json'))).rejects.toThrow();
    // The dashboard keeps the results it has and says since when they are stale.
    await eventually(async () => dashboardStore.getSnapshot().feed, (feed) => feed?.state === 'stale', 15_000, 100);
    const frame = renderToString(createElement(Screen, { dashboard: dashboardStore.dashboard, snapshot: dashboardStore.getSnapshot(), ui: { ...INITIAL_UI, focus: -1 }, columns: 200, lines: 60, spinner: ' ', now: new Date() }), { columns: 200 });
    expect(frame).toMatch(/Live tx per minute +stale since \d\d:\d\d:\d\d/);
    expect(frame).toMatch(/DE +ecommerce +3 +60\.75/);
  });
});
