#!/usr/bin/env node
/**
 * One part of the dashboard bench in its own process: `frames DIR` or `soak DIR SECONDS`.
 * Prints one JSON line.
 */
import { PassThrough, Writable } from 'node:stream';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { createElement } from 'react';
import { render, renderToString } from 'ink';
import chalk from 'chalk';
import { WebSocketServer } from 'ws';
import { FeedClient } from '../dist/streams/feed-client.js';
import { loadDashboard, parseDashboard } from '../dist/dashboard/load.js';
import { boundInkTextCache, tuneHeapForLongRun } from '../dist/dashboard/run.js';
import { DashboardStore } from '../dist/dashboard/store.js';
import { App } from '../dist/dashboard/ui/App.js';
import { INITIAL_UI, Screen } from '../dist/dashboard/ui/Screen.js';
import { loadMetrics } from '../dist/metrics/service.js';
import { openWorkspace } from '../dist/workspace/workspace.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [part, dir, arg] = process.argv.slice(2);
const workspace = await openWorkspace({ workspace: dir });
chalk.level = 2; // a colour terminal: colours cost render time too

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

if (part === 'frames') {
  const dashboard = await loadDashboard(workspace, 'default');
  const store = new DashboardStore(workspace, dashboard, { emitEveryMs: 0 });
  const loadStarted = performance.now();
  await store.refreshAll();
  const firstLoadMs = performance.now() - loadStarted;
  const frame = () => renderToString(createElement(Screen, { dashboard, snapshot: store.getSnapshot(), ui: { ...INITIAL_UI, focus: 7 }, columns: 200, lines: 60, spinner: ' ', now: new Date() }), { columns: 200 });
  for (let n = 0; n < 20; n++) frame();
  const times = [];
  const cpuTimes = [];
  for (let n = 0; n < 100; n++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    frame();
    const used = process.cpuUsage(cpu);
    times.push(performance.now() - started);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  // The same frames with the heap tuning the live dashboard applies (it costs CPU per frame).
  tuneHeapForLongRun();
  for (let n = 0; n < 20; n++) frame();
  const tunedCpuTimes = [];
  for (let n = 0; n < 100; n++) {
    const cpu = process.cpuUsage();
    frame();
    const used = process.cpuUsage(cpu);
    tunedCpuTimes.push((used.user + used.system) / 1000);
  }
  const errors = Object.values(store.getSnapshot().widgets).filter((widget) => widget.status === 'error').map((widget) => widget.error);
  // Wall time suffers from other processes on a shared machine; CPU time is this process's own work.
  console.log(JSON.stringify({ medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95), maxMs: Math.max(...times), cpuMedianMs: quantile(cpuTimes, 0.5), cpuP95Ms: quantile(cpuTimes, 0.95), tunedCpuMedianMs: quantile(tunedCpuTimes, 0.5), tunedCpuP95Ms: quantile(tunedCpuTimes, 0.95), firstLoadMs, widgetErrors: errors, reactBuild: process.env.NODE_ENV ?? 'development' }));
}

if (part === 'soak') {
  const seconds = Number(arg ?? 600);
  // The feed contract, served here: hello, results at 10/s, status at 1/s.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/feed' });
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `ws://127.0.0.1:${server.address().port}/feed`;
  server.on('connection', (socket) => socket.send(JSON.stringify({ type: 'hello', streams: [{ name: 'tx_per_minute', kind: 'window', columns: [] }], server_time: new Date().toISOString() })));
  const send = (message) => { for (const client of server.clients) client.send(JSON.stringify(message)); };
  let sent = 0;
  const countries = ['FR', 'US', 'DE', 'GB', 'BR', 'IN', 'JP'];
  const results = setInterval(() => {
    const at = new Date();
    send({ type: 'result', stream: 'tx_per_minute', op: 'insert', row: { window_start: at.toISOString(), country: countries[sent % countries.length], transactions: 100 + (sent % 37), volume: 1000 + sent }, emitted_at: at.toISOString() });
    sent++;
  }, 100);
  const status = setInterval(() => send({ type: 'status', server_time: new Date().toISOString(), events_per_second: 10, lag: 0, watermarks: {}, lake_version: 1 }), 1_000);

  // The default dashboard plus a row of widgets on the stream.
  const text = readFileSync(path.join(dir, 'dashboards', 'default.yaml'), 'utf8')
    .replace('min_rows: 40', 'min_rows: 50')
    .concat(`  - height: 9
    widgets:
      - { type: line, stream: tx_per_minute, x: window_start, y: [transactions], title: Live per minute, width: 2 }
      - { type: log, stream: tx_per_minute, fields: [window_start, country, transactions], title: Live results, width: 2 }
      - { type: table, stream: tx_per_minute, title: Live table, width: 2 }
`);
  const dashboard = { name: 'soak', ...parseDashboard(text, 'soak.yaml', { metrics: await loadMetrics(workspace), tables: workspace.registry.tables().map((t) => t.name), streams: undefined }) };
  const feed = new FeedClient({ workspaceRoot: dir, streams: ['tx_per_minute'], url });
  // What runLiveDashboard does before it renders.
  tuneHeapForLongRun();
  const stopTrimming = await boundInkTextCache();
  const store = new DashboardStore(workspace, dashboard, { feed });
  // A terminal that throws the bytes away: 200×60, a TTY as far as Ink is concerned.
  let written = 0;
  const stdout = Object.assign(new Writable({ write(chunk, _encoding, done) { written += chunk.length; done(); } }), { columns: 200, rows: 61, isTTY: true });
  // A keyboard nobody types on (a TTY, or Ink's useInput refuses raw mode and the app stops).
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode() { return this; }, ref() { return this; }, unref() { return this; } });
  const errors = [];
  const renderTimes = [];
  const instance = render(createElement(App, { workspace, store, initialUi: INITIAL_UI, outputDir: path.join(dir, 'exports') }), { stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 20, onRender: ({ renderTime }) => renderTimes.push(renderTime) });
  store.start();
  const samples = [];
  const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  // Every second by default (BENCH_DASHBOARD_SAMPLE_MS): 10 s samples missed the short peaks after refresh rounds.
  const sampleMs = Number(process.env.BENCH_DASHBOARD_SAMPLE_MS ?? 1_000);
  while (Date.now() - started < seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const memory = process.memoryUsage();
    // Anonymous memory is the process's own (JS heap, DuckDB, yoga); the rest of RSS is mapped code (node, libduckdb).
    const anonymousKiB = Number(/Anonymous:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1] ?? 0);
    samples.push({ t: Math.round((Date.now() - started) / 1000), rssMiB: mib(memory.rss), anonMiB: mib(anonymousKiB * 1024), heapMiB: mib(memory.heapUsed), heapTotalMiB: mib(memory.heapTotal), externalMiB: mib(memory.external) });
  }
  const cpu = process.cpuUsage(cpuStart);
  stopTrimming();
  instance.unmount();
  store.stop();
  clearInterval(results);
  clearInterval(status);
  server.close();
  // Slope of RSS over the second half (after warm-up), in MiB per hour.
  const half = samples.slice(Math.floor(samples.length / 2));
  const n = half.length;
  const meanT = half.reduce((s, x) => s + x.t, 0) / n;
  const meanR = half.reduce((s, x) => s + x.rssMiB, 0) / n;
  const slope = n > 1 ? half.reduce((s, x) => s + (x.t - meanT) * (x.rssMiB - meanR), 0) / half.reduce((s, x) => s + (x.t - meanT) ** 2, 0) : 0;
  const last = samples.at(-1);
  // Exit only once the output is written: process.exit cuts a pending write to a pipe short
  // (an hour of 1-s samples is a few hundred KB).
  process.stdout.write(`${JSON.stringify({
    seconds, resultsSent: sent, frames: renderTimes.length, bytesWritten: written, errors,
    inkRenderMs: { median: quantile(renderTimes, 0.5), p95: quantile(renderTimes, 0.95), max: Math.max(...renderTimes) },
    sampleMs,
    rssMiB: { first: samples[0]?.rssMiB, last: last?.rssMiB, median: quantile(samples.map((s) => s.rssMiB), 0.5), p95: quantile(samples.map((s) => s.rssMiB), 0.95), max: Math.max(...samples.map((s) => s.rssMiB)), over200MB: samples.filter((s) => s.rssMiB * 2 ** 20 > 200e6).length },
    heapMiB: { first: samples[0]?.heapMiB, last: last?.heapMiB },
    rssSlopeMiBPerHour: Math.round(slope * 3600 * 10) / 10,
    rssExtrapolatedHourMiB: Math.round(((last?.rssMiB ?? 0) + slope * Math.max(0, 3600 - seconds)) * 10) / 10,
    cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
    samples,
  })}\n`, () => process.exit(0));
}
