#!/usr/bin/env node
/**
 * Live feed latency (issue 4): the Kafka daemon runs the five default stream jobs plus a probe
 * job (tumbling 100 ms windows, no lateness) while transactions are produced at a steady rate,
 * each stamped with its produce time as `occurred_at`. A window closes when the first event
 * after its end is read; its latency is the time from its end to the arrival of its result at a
 * WebSocket client of the feed. Reports p50, p99 and max over the windows. Real broker.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import WebSocket from 'ws';

const PORT = 19395 + Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);
const BROKERS = `127.0.0.1:${PORT}`;

function broker(command, dataDir) {
  execFileSync('bash', ['scripts/kafka/broker.sh', command], { env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_DATA_DIR: dataDir }, stdio: 'ignore' });
}

function event(index, now) {
  return JSON.stringify({
    id: `feed-${index}`, type: 'transaction', version: 1, occurred_at: new Date(now).toISOString(), source: 'bench',
    data: { transaction_id: `t-${index}`, account_id: `a-${index % 500}`, customer_id: `c-${index % 400}`, merchant_id: `m-${index % 50}`, amount: '12.50', currency: 'EUR', status: index % 20 === 0 ? 'declined' : 'captured', channel: 'ecommerce', country: ['DE', 'FR', 'US'][index % 3] },
  });
}

const quantile = (sorted, q) => {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.ceil(position)] - sorted[low]) * (position - low);
};

export async function benchFeedLatency({ rate = 5_000, seconds = 20, maxMs = 100 } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-feed-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-feed-ws-'));
  broker('start', dataDir);
  let daemon;
  try {
    const kafka = new kafkajs.Kafka({ brokers: [BROKERS], logLevel: kafkajs.logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: ['transactions', 'fraud_detections', 'security_alerts', 'notifications'].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    await admin.disconnect();
    execFileSync('node', ['bin/run.js', 'init', workspace, '--force'], { stdio: 'ignore' });
    appendFileSync(path.join(workspace, 'analytics.yaml'), `\nkafka:\n  batch:\n    max_ms: ${maxMs}\n  metrics_port: 0\n`);
    appendFileSync(path.join(workspace, 'streams.yaml'), `
  - name: feed_probe
    kind: window
    events: [transaction]
    window: { type: tumbling, size: 100ms }
    aggregates: [{ name: n, fn: count }]
`);
    daemon = spawn('node', ['bin/run.js', 'ingest', 'kafka', '--brokers', BROKERS, '-w', workspace], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANALYTICS_LOG_FORMAT: 'json' } });
    let log = '';
    daemon.stderr.on('data', (chunk) => (log += chunk));
    while (!/assigned \d+ partitions/.test(log)) {
      if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log.slice(-500)}`);
      await sleep(100);
    }
    const { url } = JSON.parse(readFileSync(path.join(workspace, '.analytics', 'feed.json'), 'utf8'));
    const latencies = [];
    const client = new WebSocket(url);
    await new Promise((resolve, reject) => { client.once('open', resolve); client.once('error', reject); });
    client.send(JSON.stringify({ type: 'subscribe', streams: ['feed_probe'] }));
    const started = Date.now();
    client.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'result') return;
      const end = Date.parse(message.row.window_end);
      // Skip the warm-up second.
      if (end > started + 1_000) latencies.push(Date.now() - end);
    });
    const producer = kafka.producer();
    await producer.connect();
    const tick = 20; // ms
    const perTick = Math.max(1, Math.round((rate * tick) / 1000));
    let sent = 0;
    while (Date.now() - started < seconds * 1000) {
      const now = Date.now();
      await producer.send({ topic: 'transactions', messages: Array.from({ length: perTick }, (_, i) => ({ value: event(sent + i, now) })) });
      sent += perTick;
      const next = started + (sent / perTick) * tick;
      if (next > Date.now()) await sleep(next - Date.now());
    }
    await producer.disconnect();
    await sleep(3_000);
    client.close();
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    daemon = undefined;
    latencies.sort((a, b) => a - b);
    return { rate, seconds, sent, maxMs, windows: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxLatencyMs: latencies.at(-1) };
  } finally {
    daemon?.kill('SIGKILL');
    broker('stop', dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  console.log(await benchFeedLatency());
}
