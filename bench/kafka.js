#!/usr/bin/env node
/**
 * Kafka ingest benchmark (issue 3), side by side in one run:
 * - baseline: Debian's kcat reading the topic to the end into /dev/null (raw read, no work);
 * - ours: `analytics ingest kafka` from the beginning until the lake holds every event
 *   (validated, enriched, committed), polled from the snapshot file so polling costs nothing.
 * Uses a real broker on port 19392 (scripts/kafka/broker.sh) with a fresh data folder.
 *
 * Exported for bench/run.js; runnable alone: node bench/kafka.js FILE COUNT [--by-type]
 * --by-type: each event goes to its type's topic (the daemon's four default topics, read into one
 * buffer, so its batches mix the types); kcat reads the four topics one after the other.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';

const PORT = 19392 + Number(process.env.ANALYTICS_TEST_PORT_OFFSET ?? 0);
const BROKERS = `127.0.0.1:${PORT}`;
const TOPIC = 'transactions';
const TOPIC_OF_TYPE = { transaction: 'transactions', fraud_detection: 'fraud_detections', security_alert: 'security_alerts', notification: 'notifications' };

function broker(command, dataDir) {
  return execFileSync('bash', ['scripts/kafka/broker.sh', command], {
    env: { ...process.env, KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1), KAFKA_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
}

function storedRows(lakeRoot) {
  const dir = path.join(lakeRoot, '_snapshots');
  let names;
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return 0;
  }
  const latest = names.at(-1);
  if (!latest) return 0;
  const snapshot = JSON.parse(readFileSync(path.join(dir, latest), 'utf8'));
  return snapshot.files.filter((file) => Object.values(TOPIC_OF_TYPE).includes(file.table)).reduce((sum, file) => sum + file.rows, 0);
}

/**
 * The daemon's rate between its first and its last full batch (from its JSON log): events of the
 * full batches after the first, over the time between the first's commit and the last's. It
 * leaves out the start (process, group join) and the last partial batch, which waits for
 * `kafka.batch.max_ms` by design.
 */
function steadyRate(log) {
  const full = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    .filter((entry) => entry.message?.startsWith('batch committed') && entry.reason === 'size');
  if (full.length < 3) return {};
  const seconds = (Date.parse(full.at(-1).time) - Date.parse(full[0].time)) / 1000;
  const events = full.slice(1).reduce((sum, entry) => sum + entry.consumed, 0);
  return { steadyRate: events / seconds, steadyBatches: full.length };
}

/** Splits an NDJSON file of several types into one file per type's topic. */
function splitByTopic(input, dir) {
  const lines = new Map();
  for (const line of readFileSync(input, 'utf8').split('\n')) {
    if (line === '') continue;
    const topic = TOPIC_OF_TYPE[/"type":"([a-z_]+)"/.exec(line)?.[1]] ?? TOPIC;
    if (!lines.has(topic)) lines.set(topic, []);
    lines.get(topic).push(line);
  }
  return [...lines].map(([topic, topicLines]) => {
    const file = path.join(dir, `${topic}.ndjson`);
    writeFileSync(file, `${topicLines.join('\n')}\n`);
    return { topic, file };
  });
}

export async function benchKafka(input, count, { byType = false } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-kafka-'));
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'analytics-bench-kafka-ws-'));
  broker('start', dataDir);
  try {
    const inputs = byType ? splitByTopic(input, dataDir) : [{ topic: TOPIC, file: input }];
    const admin = new kafkajs.Kafka({ brokers: [BROKERS], logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: inputs.map(({ topic }) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
    await admin.disconnect();
    console.error(`producing ${count.toLocaleString('en-US')} events with kcat -P to ${inputs.map(({ topic }) => topic).join(', ')} …`);
    for (const { topic, file } of inputs) execFileSync('kcat', ['-P', '-b', BROKERS, '-t', topic, '-l', file], { stdio: 'inherit' });

    const kcatStarted = performance.now();
    for (const { topic } of inputs) execFileSync('bash', ['-c', `kcat -C -b ${BROKERS} -t ${topic} -o beginning -e -q > /dev/null`]);
    const kcatSeconds = (performance.now() - kcatStarted) / 1000;

    execFileSync('node', ['bin/run.js', 'init', workspace, '--force'], { stdio: 'ignore' });
    // Measured without the scaffold's stream jobs (bench/streams.js measures those).
    rmSync(path.join(workspace, 'streams.yaml'), { force: true });
    // BENCH_KAFKA_BATCH: another kafka.batch.max_events than the default, to compare batch sizes.
    if (process.env.BENCH_KAFKA_BATCH) appendFileSync(path.join(workspace, 'analytics.yaml'), `\nkafka:\n  batch:\n    max_events: ${Number(process.env.BENCH_KAFKA_BATCH)}\n`);
    const started = performance.now();
    const daemon = spawn('node', [...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), 'bin/run.js', 'ingest', 'kafka', '--brokers', BROKERS, '--from-beginning', ...(byType ? [] : ['--topics', TOPIC]), '-w', workspace], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ANALYTICS_LOG_FORMAT: 'json' },
    });
    let log = '';
    daemon.stderr.setEncoding('utf8');
    daemon.stderr.on('data', (chunk) => { log += chunk; });
    const lakeRoot = path.join(workspace, 'lake');
    let stored = 0;
    while (stored < count) {
      if (daemon.exitCode !== null) throw new Error(`the ingest daemon exited with ${daemon.exitCode}`);
      await sleep(100);
      stored = storedRows(lakeRoot);
      if ((performance.now() - started) / 1000 > 600) throw new Error(`only ${stored} of ${count} events stored after 600 s`);
    }
    const oursSeconds = (performance.now() - started) / 1000;
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    // BENCH_KAFKA_LOG=file keeps the daemon's log (one JSON line per batch: validate_ms, commit_ms).
    if (process.env.BENCH_KAFKA_LOG) writeFileSync(process.env.BENCH_KAFKA_LOG, log);
    return { count, kcatRate: count / kcatSeconds, oursRate: count / oursSeconds, kcatSeconds, oursSeconds, ...steadyRate(log) };
  } finally {
    broker('stop', dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`) {
  const [input, count, mode] = process.argv.slice(2);
  console.log(await benchKafka(input, Number(count), { byType: mode === '--by-type' }));
}
