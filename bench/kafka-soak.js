#!/usr/bin/env node
/**
 * Kafka soak benchmark (issue 3), opt-in with BENCH_SOAK=1 in `npm run bench`: one daemon under
 * a steady load (default 10,000 events/s for 600 s) while its resident memory (VmRSS) is sampled
 * every 10 s. Reports the samples, the least-squares slope in MiB per minute over the second half
 * of the run (after the warm-up) and whether the lake holds every event at the end.
 * Real broker on port 19394 (+ ANALYTICS_TEST_PORT_OFFSET).
 *
 * Runnable alone: node bench/kafka-soak.js [seconds] [rate]
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

const PORT = 19394 + Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);
const BROKERS = `127.0.0.1:${PORT}`;
const SAMPLE_MS = 10_000;

function broker(command, dataDir) {
  execFileSync('bash', ['scripts/kafka/broker.sh', command], { env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_DATA_DIR: dataDir }, stdio: 'ignore' });
}

function event(index, now) {
  return JSON.stringify({
    id: `soak-${index}`, type: 'transaction', version: 1, occurred_at: new Date(now).toISOString(), source: 'bench',
    data: { transaction_id: `t-${index}`, account_id: `a-${index % 500}`, customer_id: `c-${index % 400}`, merchant_id: `m-${index % 50}`, amount: '12.50', currency: 'EUR', status: 'captured', channel: 'ecommerce', country: 'DE' },
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function storedRows(lakeRoot) {
  const dir = path.join(lakeRoot, '_snapshots');
  const names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  if (names.length === 0) return 0;
  return JSON.parse(readFileSync(path.join(dir, names.at(-1)), 'utf8')).files.filter((f) => f.table === 'transactions').reduce((sum, f) => sum + f.rows, 0);
}

export async function benchKafkaSoak({ seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600), rate = Number(process.env.BENCH_SOAK_RATE ?? 10_000) } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-soak-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-soak-ws-'));
  broker('start', dataDir);
  let daemon;
  try {
    const kafka = new kafkajs.Kafka({ brokers: [BROKERS], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['transactions', 'fraud_detections', 'security_alerts', 'notifications'].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
    await admin.disconnect();
    execFileSync('node', ['bin/run.js', 'init', workspace, '--force'], { stdio: 'ignore' });
    // The ingest daemon alone, as in bench/kafka.js; BENCH_SOAK_STREAMS=1 keeps the scaffold's
    // stream jobs (their join holds every transaction of its 6-minute bound: docs/performance.md).
    if (process.env.BENCH_SOAK_STREAMS !== '1') rmSync(path.join(workspace, 'streams.yaml'), { force: true });
    daemon = spawn('node', ['bin/run.js', 'ingest', 'kafka', '--brokers', BROKERS, '-w', workspace], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANALYTICS_LOG_FORMAT: 'json' } });
    let log = '';
    daemon.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-20_000);
      // BENCH_SOAK_LOG=FILE keeps the daemon's whole log.
      if (process.env.BENCH_SOAK_LOG) appendFileSync(process.env.BENCH_SOAK_LOG, chunk);
    });
    while (!/assigned \d+ partitions/.test(log)) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log.slice(-500)}`);
      await sleep(100);
    }
    const producer = kafka.producer();
    await producer.connect();
    const tick = 100;
    const perTick = Math.round((rate * tick) / 1000);
    const started = Date.now();
    const samples = [{ seconds: 0, rssMiB: rssMiB(daemon.pid) }];
    let nextSample = started + SAMPLE_MS;
    let sent = 0;
    while (Date.now() - started < seconds * 1000) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log.slice(-500)}`);
      const now = Date.now();
      await producer.send({ topic: 'transactions', messages: Array.from({ length: perTick }, (_, i) => ({ value: event(sent + i, now) })) });
      sent += perTick;
      if (Date.now() >= nextSample) {
        samples.push({ seconds: Math.round((Date.now() - started) / 1000), rssMiB: rssMiB(daemon.pid) });
        nextSample += SAMPLE_MS;
      }
      const next = started + (sent / perTick) * tick;
      if (next > Date.now()) await sleep(next - Date.now());
    }
    await producer.disconnect();
    const lakeRoot = path.join(workspace, 'lake');
    const deadline = Date.now() + 60_000;
    while (storedRows(lakeRoot) < sent && Date.now() < deadline) await sleep(200);
    const stored = storedRows(lakeRoot);
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    daemon = undefined;
    const steady = samples.filter((sample) => sample.seconds >= seconds / 2);
    const perMinute = slope(steady.map((sample) => ({ x: sample.seconds / 60, y: sample.rssMiB })));
    return { rate, seconds, sent, stored, samples, slopeMiBPerMinute: perMinute, peakMiB: Math.max(...samples.map((sample) => sample.rssMiB)) };
  } finally {
    daemon?.kill('SIGKILL');
    broker('stop', dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const [seconds, rate] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await benchKafkaSoak({ ...(seconds ? { seconds } : {}), ...(rate ? { rate } : {}) }), null, 2));
}
