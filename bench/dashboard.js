#!/usr/bin/env node
/**
 * `analytics dashboard` (issue 7): three measurements on a workspace holding a day of generated
 * events ending now (built once under $TMPDIR/analytics-bench):
 *
 * - frame render time of the default dashboard at 200×60 (the pure screen, every widget loaded;
 *   median and p95 of 100 renders after a warm-up), and Ink's own render time per frame in the
 *   live app during the soak;
 * - memory during a sustained run of live updates: the live app (Ink, store, feed client) fed
 *   10 results/s over a real WebSocket server speaking the feed contract, plus every query widget
 *   refreshing on its interval; RSS and heap sampled every second (BENCH_DASHBOARD_SAMPLE_MS),
 *   slope extrapolated to an hour;
 * - idle CPU: the real command in tmux at 200×60, no new data, CPU time over 60 s.
 *
 * BENCH_DASHBOARD_SOAK_SECONDS sets the soak (default 600). Each part runs in its own process.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { generateRecords, writeNdjson } from '../dist/pipelines/generate/index.js';
import { ingestFiles } from '../dist/pipelines/ingest/file-ingest.js';
import { initWorkspace } from '../dist/workspace/init.js';
import { openWorkspace } from '../dist/workspace/workspace.js';

const HOUR = 3_600_000;

/** A workspace with the 24 h of events up to the current hour's end (rebuilt when older than 6 h). */
export async function dashboardWorkspace() {
  const dir = path.join(os.tmpdir(), 'analytics-bench', 'dashboard');
  const stamp = path.join(dir, 'ready');
  if (existsSync(stamp) && Date.now() - Number(readFileSync(stamp, 'utf8')) < 6 * HOUR) {
    // The data may be reused; the dashboard measured is always the one analytics init ships today.
    copyFileSync(path.join('dashboards', 'default.yaml'), path.join(dir, 'dashboards', 'default.yaml'));
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await initWorkspace(dir);
  const workspace = await openWorkspace({ workspace: dir });
  const end = new Date(Math.ceil(Date.now() / HOUR) * HOUR);
  const file = path.join(dir, 'events.ndjson');
  const stream = createWriteStream(file);
  console.error('building the dashboard bench workspace: a day of events at 3/s …');
  await writeNdjson(generateRecords({ seed: 7, rate: 3, start: new Date(end.getTime() - 24 * HOUR), end }), stream);
  stream.end();
  await once(stream, 'finish');
  await ingestFiles(workspace, { paths: [file], cwd: dir });
  rmSync(file);
  writeFileSync(stamp, String(Date.now()));
  return dir;
}

function worker(part, dir, extra = []) {
  // NODE_ENV=production: what `analytics dashboard` itself sets before loading React.
  const output = execFileSync('node', [path.join('bench', 'dashboard-worker.js'), part, dir, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  return JSON.parse(output.trim().split('\n').at(-1));
}

export function idleCpu(dir, seconds = 60) {
  const session = `analytics-bench-dash-${process.pid}`;
  const tmux = (...args) => execFileSync('tmux', args, { encoding: 'utf8' });
  tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '60', `cd ${dir} && node ${path.resolve('bin/run.js')} dashboard`);
  try {
    const shell = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
    // The pane runs `sh -c "cd … && node …"`: node is the shell's child, or the shell itself after exec.
    let child = '';
    try {
      child = execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim().split('\n')[0]?.trim() ?? '';
    } catch {
      // ps exits 1 when the shell has no child: it exec'd node itself.
    }
    const pid = child || shell;
    const ticks = () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime, after the command name
    };
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
    execFileSync('sleep', ['25']); // first load: every widget queries the lake once
    const screen = tmux('capture-pane', '-p', '-t', session);
    const before = ticks();
    const started = Date.now();
    execFileSync('sleep', [String(seconds)]);
    const used = (ticks() - before) / 100; // clock ticks of 10 ms
    const elapsed = (Date.now() - started) / 1000;
    return { cpuShare: used / elapsed, seconds: elapsed, rssMiB: rss(), loaded: !screen.includes('loading…') };
  } finally {
    try { tmux('send-keys', '-t', session, 'q'); } catch { /* already gone */ }
    execFileSync('sleep', ['1']);
    try { tmux('kill-session', '-t', session); } catch { /* already gone */ }
  }
}

export async function benchDashboard() {
  const dir = await dashboardWorkspace();
  const frames = worker('frames', dir);
  const soakSeconds = Number(process.env.BENCH_DASHBOARD_SOAK_SECONDS ?? 600);
  const soak = worker('soak', dir, [String(soakSeconds)]);
  const idle = idleCpu(dir);
  return { frames, soak, idle };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchDashboard();
  console.log(JSON.stringify(result, null, 2));
}
