/**
 * What the Kafka latency benches share: a real broker on its own port with a fresh data folder,
 * the four topics, a scaffolded workspace, an `analytics ingest kafka` daemon that has its
 * partitions, and a producer sending transactions at a steady rate. Everything is stopped and
 * removed afterwards, whatever happens.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

export const TOPICS = ['transactions', 'fraud_detections', 'security_alerts', 'notifications'];

/** A test port shifted like the tests' (ANALYTICS_TEST_PORT_OFFSET), so checkouts do not collide. */
export const benchPort = (base) => base + Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);

/** A transaction stamped with `now` as its event time, so its latency can be measured. */
export function stampedTransaction(id, index, now, data = {}) {
  return JSON.stringify({
    id, type: 'transaction', version: 1, occurred_at: new Date(now).toISOString(), source: 'bench',
    data: { transaction_id: `t-${index}`, account_id: `a-${index % 500}`, customer_id: `c-${index % 400}`, merchant_id: `m-${index % 50}`, amount: '12.50', currency: 'EUR', status: 'captured', channel: 'ecommerce', country: 'DE', ...data },
  });
}

/**
 * Runs `work({ kafka, brokers, workspace, daemon })` with a broker on `port`, topics of
 * `partitions` partitions, a workspace prepared by `prepare(workspace)` and a daemon that has its
 * partitions. The daemon is stopped with SIGTERM after `work` (SIGKILL if `work` threw).
 */
export async function withKafkaDaemon({ port, partitions, prepare }, work) {
  const brokers = `127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-kafka-data-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-kafka-ws-'));
  const broker = (command) => execFileSync('bash', ['scripts/kafka/broker.sh', command], { env: { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1), KAFKA_DATA_DIR: dataDir }, stdio: 'ignore' });
  broker('start');
  let daemon;
  try {
    const kafka = new kafkajs.Kafka({ brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: TOPICS.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
    await admin.disconnect();
    execFileSync('node', ['bin/run.js', 'init', workspace, '--force'], { stdio: 'ignore' });
    prepare?.(workspace);
    daemon = spawn('node', ['bin/run.js', 'ingest', 'kafka', '--brokers', brokers, '-w', workspace], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANALYTICS_LOG_FORMAT: 'json' } });
    let log = '';
    daemon.stderr.on('data', (chunk) => (log += chunk));
    while (!/assigned \d+ partitions/.test(log)) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log.slice(-500)}`);
      await sleep(100);
    }
    const result = await work({ kafka, brokers, workspace, daemon });
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    daemon = undefined;
    return result;
  } finally {
    daemon?.kill('SIGKILL');
    broker('stop');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** Sends `event(index, now)` to the transactions topic at `rate` per second for `seconds`, in ticks of `tickMs`; returns how many. */
export async function produceSteadily(kafka, { rate, seconds, tickMs, started = Date.now(), event }) {
  const producer = kafka.producer();
  await producer.connect();
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  let sent = 0;
  while (Date.now() - started < seconds * 1000) {
    const now = Date.now();
    await producer.send({ topic: 'transactions', messages: Array.from({ length: perTick }, (_, i) => ({ value: event(sent + i, now) })) });
    sent += perTick;
    const next = started + (sent / perTick) * tickMs;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  await producer.disconnect();
  return sent;
}
