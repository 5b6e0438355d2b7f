#!/usr/bin/env node
/**
 * Event-to-lake latency of `analytics ingest kafka` (issue 3): events produced at a steady rate
 * (default 10,000/s for 20 s), each stamped with its produce time as `occurred_at`; an event is
 * visible when the snapshot that adds its file is committed (`committedAt`; files record the
 * version that added them). Reports p50, p99 and max. Real broker on port 19393.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { Engine } from '../dist/duckdb/engine.js';
import { literal } from '../dist/duckdb/sql.js';

const PORT = 19393 + Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);
const BROKERS = `127.0.0.1:${PORT}`;

function broker(command, dataDir) {
  execFileSync('bash', ['scripts/kafka/broker.sh', command], { env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_DATA_DIR: dataDir }, stdio: 'ignore' });
}

function event(index, now) {
  return JSON.stringify({
    id: `lat-${index}`, type: 'transaction', version: 1, occurred_at: new Date(now).toISOString(), source: 'bench',
    data: { transaction_id: `t-${index}`, account_id: `a-${index % 500}`, customer_id: `c-${index % 400}`, merchant_id: `m-${index % 50}`, amount: '12.50', currency: 'EUR', status: 'captured', channel: 'ecommerce', country: 'DE' },
  });
}

export async function benchKafkaLatency({ rate = 10_000, seconds = 20 } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-latency-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-latency-ws-'));
  broker('start', dataDir);
  let daemon;
  try {
    const kafka = new kafkajs.Kafka({ brokers: [BROKERS], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['transactions', 'fraud_detections', 'security_alerts', 'notifications'].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
    await admin.disconnect();
    execFileSync('node', ['bin/run.js', 'init', workspace, '--force'], { stdio: 'ignore' });
    // Measured without the scaffold's stream jobs (bench/streams.js measures those).
    rmSync(path.join(workspace, 'streams.yaml'), { force: true });
    daemon = spawn('node', ['bin/run.js', 'ingest', 'kafka', '--brokers', BROKERS, '-w', workspace], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANALYTICS_LOG_FORMAT: 'json' } });
    let log = '';
    daemon.stderr.on('data', (chunk) => (log += chunk));
    while (!/assigned \d+ partitions/.test(log)) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log.slice(-500)}`);
      await sleep(100);
    }
    const producer = kafka.producer();
    await producer.connect();
    const tick = 100; // ms
    const perTick = Math.round((rate * tick) / 1000);
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < seconds * 1000) {
      const now = Date.now();
      await producer.send({ topic: 'transactions', messages: Array.from({ length: perTick }, (_, i) => ({ value: event(sent + i, now) })) });
      sent += perTick;
      const next = started + (sent / perTick) * tick;
      if (next > Date.now()) await sleep(next - Date.now());
    }
    await producer.disconnect();
    const lakeRoot = path.join(workspace, 'lake');
    const stored = () => {
      const names = readdirSync(path.join(lakeRoot, '_snapshots')).filter((name) => name.endsWith('.json')).sort();
      return JSON.parse(readFileSync(path.join(lakeRoot, '_snapshots', names.at(-1)), 'utf8')).files.filter((f) => f.table === 'transactions').reduce((sum, f) => sum + f.rows, 0);
    };
    while (stored() < sent) await sleep(200);
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    daemon = undefined;
    // Each file's visibility time is the committedAt of the version that added it.
    const snapshots = readdirSync(path.join(lakeRoot, '_snapshots')).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(path.join(lakeRoot, '_snapshots', name), 'utf8')));
    const committedAt = new Map(snapshots.map((snapshot) => [snapshot.version, snapshot.committedAt]));
    const files = snapshots.at(-1).files.filter((file) => file.table === 'transactions');
    const engine = await Engine.open();
    const values = files.map((file) => `(${literal(path.join(lakeRoot, file.path))}, TIMESTAMPTZ ${literal(committedAt.get(file.addedIn))})`).join(', ');
    await engine.run(`CREATE TABLE visible (file VARCHAR, visible_at TIMESTAMPTZ); INSERT INTO visible VALUES ${values}`);
    const [row] = await engine.rows(`SELECT count(*) AS n, quantile_cont(ms, 0.5) AS p50, quantile_cont(ms, 0.99) AS p99, max(ms) AS max FROM (
      SELECT epoch_ms(v.visible_at) - epoch_ms(t.occurred_at) AS ms FROM read_parquet([${files.map((file) => literal(path.join(lakeRoot, file.path))).join(', ')}], filename = true) t JOIN visible v ON v.file = t.filename)`);
    engine.close();
    return { rate, seconds, sent, measured: row.n, p50Ms: row.p50, p99Ms: row.p99, maxMs: row.max };
  } finally {
    daemon?.kill('SIGKILL');
    broker('stop', dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(await benchKafkaLatency());
}
