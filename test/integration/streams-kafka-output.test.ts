/**
 * Stream results to a Kafka topic (`output.kafka` in streams.yaml), end to end against a real
 * broker: the topic is consumed with kafkajs and compared, result for result, with the jobs' lake
 * tables. File ingest produces after its commits; with the broker unreachable ingest goes on and
 * the results wait in the outbox until the daemon produces them; the Kafka daemon killed with
 * SIGKILL loses none (a repeat is only ever the same key and the same bytes).
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, removeTempDirs, runCli } from '../support/cli.js';
import { sharedBroker, type KafkaBrokerHandle } from '../support/kafka-broker.js';
import { connectProducer, createTopics, eventually, killDaemonAfterNextCommit, kafkaClient, lakeIds, makeKafkaWorkspace, startDaemon, type KafkaWorkspace, type Producer } from '../support/kafka-ingest.js';
import { canonicalRows, writeStreamTraffic } from '../support/stream-traffic.js';
import { KafkaOutput } from '../../src/streams/kafka-output.js';
import { outboxDir } from '../../src/streams/outbox.js';
import { openWorkspace } from '../../src/workspace/workspace.js';
import type { Logger } from '../../src/cli/logger.js';

/** Jobs given a Kafka output: a window, a join and a pattern. */
const OUTPUT_JOBS = ['tx_per_minute', 'fraud_joined', 'failed_logins_then_large_tx'];

interface OutputMessage {
  key: string;
  value: string;
}

/** Adds `output: { kafka: { topic } }` to the jobs in `jobs` of the workspace's streams.yaml. */
async function addKafkaOutput(dir: string, topic: string, jobs: readonly string[] = OUTPUT_JOBS): Promise<void> {
  const file = path.join(dir, 'streams.yaml');
  const document = parseYaml(await fs.readFile(file, 'utf8')) as { streams: { name: string; output?: unknown }[] };
  for (const job of document.streams) if (jobs.includes(job.name)) job.output = { kafka: { topic } };
  await fs.writeFile(file, stringifyYaml(document));
}

async function setBrokers(dir: string, brokers: string): Promise<void> {
  const file = path.join(dir, 'analytics.yaml');
  const text = await fs.readFile(file, 'utf8');
  await fs.writeFile(file, text.replace(/^kafka:\n( {2}brokers: .*\n)?/m, `kafka:\n  brokers: [${brokers}]\n`));
}

/** A port nothing listens on. */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Every message of `topic`, read from the beginning once at least `atLeast` are there. */
async function consumeTopic(brokers: string, topic: string, atLeast: number): Promise<OutputMessage[]> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  let ends: { partition: number; high: string }[] = [];
  try {
    await eventually(async () => {
      ends = await admin.fetchTopicOffsets(topic).catch(() => []);
      return ends.reduce((sum, end) => sum + Number(end.high), 0);
    }, (count) => count >= atLeast, 120_000, 500);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafkaClient(brokers).consumer({ groupId: `read-${randomUUID().slice(0, 8)}` });
  const messages: OutputMessage[] = [];
  const remaining = new Map(ends.filter((end) => Number(end.high) > 0).map((end) => [end.partition, Number(end.high)]));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${messages.length} messages read from ${topic}`)), 60_000);
      if (remaining.size === 0) { clearTimeout(timer); resolve(); }
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          messages.push({ key: message.key!.toString(), value: message.value!.toString() });
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) { clearTimeout(timer); resolve(); }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Lake rows of the output jobs, as canonical text per job. */
async function lakeResults(dir: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const job of OUTPUT_JOBS) out[job] = canonicalRows(await queryRows(dir, `SELECT * FROM ${job}`));
  return out;
}

/** The messages as the rows they carry (the row plus its batch_id), per job, in the same canonical text. */
function topicResults(messages: readonly OutputMessage[]): Record<string, string[]> {
  const rows: Record<string, Record<string, unknown>[]> = Object.fromEntries(OUTPUT_JOBS.map((job) => [job, []]));
  for (const message of messages) {
    const value = JSON.parse(message.value) as { type: string; stream: string; row: Record<string, unknown>; batch_id: string };
    rows[value.stream]!.push({ ...value.row, batch_id: value.batch_id });
  }
  return Object.fromEntries(Object.entries(rows).map(([job, list]) => [job, canonicalRows(list)]));
}

/** Checks the message keys: `["<job>", …]`, and one key never carries two different values. */
function checkKeys(messages: readonly OutputMessage[]): void {
  const valueOfKey = new Map<string, Set<string>>();
  for (const message of messages) {
    const key = JSON.parse(message.key) as unknown[];
    const value = JSON.parse(message.value) as { stream: string; op: string };
    expect(key[0]).toBe(value.stream);
    // Window updates share their window's key; everything else is emitted once.
    if (value.op === 'update') continue;
    const values = valueOfKey.get(message.key) ?? new Set<string>();
    values.add(message.value);
    valueOfKey.set(message.key, values);
  }
  const conflicting = [...valueOfKey].filter(([, values]) => values.size > 1).map(([key]) => key);
  expect(conflicting).toEqual([]);
}

describe('stream results to a Kafka topic', () => {
  let broker: KafkaBrokerHandle;
  let producer: Producer;
  let files: string[];
  let lines: string[];

  beforeAll(async () => {
    broker = await sharedBroker();
    producer = await connectProducer(broker.brokers);
    const dir = await fs.mkdtemp(path.join(process.env.TMPDIR ?? '/tmp', 'stream-output-traffic-'));
    ({ files } = await writeStreamTraffic(dir, { seed: 21, count: 6_000, start: '2026-11-24T08:00:00Z', end: '2026-11-24T10:00:00Z', parts: 4, lateShare: 0 }));
    lines = [];
    for (const file of files) lines.push(...(await fs.readFile(file, 'utf8')).split('\n').filter(Boolean));
  }, 240_000);
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.stop();
    await removeTempDirs();
  });

  it('file ingest produces every result of the jobs with an output, equal to their lake tables', { timeout: 300_000 }, async () => {
    const workspace = await makeKafkaWorkspace({ streams: true });
    const topic = `results-${randomUUID().slice(0, 8)}`;
    await setBrokers(workspace.dir, broker.brokers);
    await addKafkaOutput(workspace.dir, topic);

    const ingest = await runCli(['ingest', 'file', ...files, '--format', 'json'], { cwd: workspace.dir });
    expect(ingest.exitCode, ingest.stderr).toBe(0);
    const summary = JSON.parse(ingest.stdout) as { kafkaOutput: { topics: string[]; produced: number; pending: number; error: string | null } };
    expect(summary.kafkaOutput.topics).toEqual([topic]);
    expect(summary.kafkaOutput.error).toBeNull();
    expect(summary.kafkaOutput.pending).toBe(0);

    const expected = await lakeResults(workspace.dir);
    for (const job of OUTPUT_JOBS) expect(expected[job]!.length, job).toBeGreaterThan(0);
    const total = OUTPUT_JOBS.reduce((sum, job) => sum + expected[job]!.length, 0);
    expect(summary.kafkaOutput.produced).toBe(total);
    const messages = await consumeTopic(broker.brokers, topic, total);
    expect(messages.length).toBe(total);
    expect(topicResults(messages)).toEqual(expected);
    checkKeys(messages);
    // A match travels as a derived event: keyed by its id, with the envelope in `event`.
    const matches = messages.map((message) => ({ key: JSON.parse(message.key) as string[], value: JSON.parse(message.value) as { stream: string; row: Record<string, unknown>; event?: { id: string; type: string; version: number } } }))
      .filter((message) => message.value.stream === 'failed_logins_then_large_tx');
    expect(matches.length).toBeGreaterThan(0);
    for (const { key, value } of matches) {
      expect(key).toEqual(['failed_logins_then_large_tx', value.row.id]);
      expect(value.event).toMatchObject({ id: value.row.id, type: 'account_takeover_suspected', version: 1 });
    }
        // Jobs without an output produce nothing.
    expect(new Set(messages.map((message) => (JSON.parse(message.value) as { stream: string }).stream))).toEqual(new Set(OUTPUT_JOBS));
    // Everything delivered: the outbox is empty.
    expect((await fs.readdir(path.join(workspace.dir, 'lake', '_streams', 'outbox'))).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
  });

  it('with the broker unreachable, ingest goes on and the daemon produces the waiting results later', { timeout: 300_000 }, async () => {
    const workspace = await makeKafkaWorkspace({ streams: true });
    const topic = `results-${randomUUID().slice(0, 8)}`;
    const closed = await unusedPort();
    await setBrokers(workspace.dir, `127.0.0.1:${closed}`);
    await addKafkaOutput(workspace.dir, topic);

    // When the files are ingested with no broker listening
    const ingest = await runCli(['ingest', 'file', ...files.slice(0, 2), '--format', 'json'], { cwd: workspace.dir });
    expect(ingest.exitCode, ingest.stderr).toBe(0);
    const summary = JSON.parse(ingest.stdout) as { stored: number; kafkaOutput: { produced: number; pending: number; error: string | null } };
    // Then everything is stored and the results wait
    expect(summary.stored).toBeGreaterThan(0);
    expect(summary.kafkaOutput.produced).toBe(0);
    expect(summary.kafkaOutput.error).not.toBeNull();
    const waiting = OUTPUT_JOBS.reduce(async (sum, job) => (await sum) + (await queryRows(workspace.dir, `SELECT * FROM ${job}`)).length, Promise.resolve(0));
    expect(summary.kafkaOutput.pending).toBe(await waiting);

    // A producer retrying the unreachable broker stops within its grace period, and keeps the results
    const opened = await openWorkspace({ workspace: workspace.dir });
    const retrying = new KafkaOutput(opened.lakeRoot, opened.config.kafka, { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined });
    retrying.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closing = Date.now();
    await retrying.close(1_000);
    expect(Date.now() - closing).toBeLessThan(3_500);
    expect(retrying.stats.produced).toBe(0);
    expect((await fs.readdir(outboxDir(opened.lakeRoot))).filter((name) => name.endsWith('.ndjson')).length).toBe(2);

    // When the daemon starts with a reachable broker and the rest of the events arrive on Kafka
    await createTopics(broker.brokers, Object.values(workspace.topics), 1);
    // (all of them: those already stored are dropped as duplicates)
    await produceLines(workspace, lines);
    const metricsPort = await unusedPort();
    const daemon = startDaemon(workspace, broker.brokers, ['--from-beginning', '--metrics-port', String(metricsPort)]);
    try {
      const expectedIds = new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size;
      await eventually(async () => new Set(await lakeIds(workspace.dir)).size, (count) => count >= expectedIds, 120_000, 1_000);
      const rows = OUTPUT_JOBS.reduce(async (sum, job) => (await sum) + (await queryRows(workspace.dir, `SELECT * FROM ${job}`)).length, Promise.resolve(0));
      const all = await rows;
      // The daemon's metrics show the delivery: every result produced (those that waited too), none waiting.
      const report = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        return ((await response.json()) as { streams: { kafka_output: { topics: string[]; analytics_streams_kafka_results_produced_total: number; outbox_pending_results: number; last_error: string | null } } }).streams.kafka_output;
      }, (output) => output.analytics_streams_kafka_results_produced_total === all, 60_000, 500);
      expect(report).toMatchObject({ topics: [topic], outbox_pending_results: 0, last_error: null });
    } finally {
      daemon.process.kill('SIGTERM');
      await daemon.process;
    }
    // Then the topic holds exactly the lake's results: those that waited and the daemon's own
    const expected = await lakeResults(workspace.dir);
    const total = OUTPUT_JOBS.reduce((sum, job) => sum + expected[job]!.length, 0);
    const messages = await consumeTopic(broker.brokers, topic, total);
    expect(messages.length).toBe(total);
    expect(topicResults(messages)).toEqual(expected);
    checkKeys(messages);
  });

  it('a crash after the broker acknowledged a file and before its removal produces it again, byte for byte', { timeout: 300_000 }, async () => {
    const workspace = await makeKafkaWorkspace({ streams: true });
    const topic = `results-${randomUUID().slice(0, 8)}`;
    const closed = await unusedPort();
    await setBrokers(workspace.dir, `127.0.0.1:${closed}`);
    await addKafkaOutput(workspace.dir, topic);
    // Given committed results waiting in the outbox (no broker while ingesting)
    const ingest = await runCli(['ingest', 'file', ...files, '--format', 'json'], { cwd: workspace.dir });
    expect(ingest.exitCode, ingest.stderr).toBe(0);
    const outbox = outboxDir(path.join(workspace.dir, 'lake'));
    const waiting = (await fs.readdir(outbox)).filter((name) => name.endsWith('.ndjson'));
    expect(waiting.length).toBe(files.length);
    const copies = await Promise.all(waiting.map(async (name) => [name, await fs.readFile(path.join(outbox, name))] as const));

    // When they are produced, and the crash undoes the removal of every file
    await setBrokers(workspace.dir, broker.brokers);
    const opened = await openWorkspace({ workspace: workspace.dir });
    const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const first = new KafkaOutput(opened.lakeRoot, opened.config.kafka, quiet);
    const delivered = await first.drain();
    await first.close(0);
    expect(delivered.files).toBe(files.length);
    expect((await fs.readdir(outbox)).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
    for (const [name, content] of copies) await fs.writeFile(path.join(outbox, name), content);
    const second = new KafkaOutput(opened.lakeRoot, opened.config.kafka, quiet);
    const again = await second.drain();
    await second.close(0);

    // Then every result is on the topic twice, both times with the same key and value
    expect(again).toEqual(delivered);
    const expected = await lakeResults(workspace.dir);
    const total = OUTPUT_JOBS.reduce((sum, job) => sum + expected[job]!.length, 0);
    expect(delivered.messages).toBe(total);
    const messages = await consumeTopic(broker.brokers, topic, 2 * total);
    expect(messages.length).toBe(2 * total);
    const copiesOf = new Map<string, number>();
    for (const message of messages) copiesOf.set(`${message.key}\u0000${message.value}`, (copiesOf.get(`${message.key}\u0000${message.value}`) ?? 0) + 1);
    expect(copiesOf.size).toBe(total);
    expect([...copiesOf.values()].every((count) => count === 2)).toBe(true);
    const distinct = [...new Map(messages.map((message) => [`${message.key}\u0000${message.value}`, message])).values()];
    expect(topicResults(distinct)).toEqual(expected);
  });

  async function produceLines(workspace: KafkaWorkspace, part: readonly string[]): Promise<void> {
    for (let index = 0; index < part.length; index += 1_000) {
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const line of part.slice(index, index + 1_000)) {
        const event = JSON.parse(line) as { id: string; type: keyof KafkaWorkspace['topics'] };
        const target = workspace.topics[event.type];
        byTopic.set(target, [...(byTopic.get(target) ?? []), { key: event.id, value: line }]);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([name, messages]) => ({ topic: name, messages })) });
    }
  }

  it('the daemon killed with SIGKILL loses no result; a repeat is the same key and value', { timeout: 500_000 }, async () => {
    const workspace = await makeKafkaWorkspace({ streams: true, maxEvents: 800, batchMaxMs: 200 });
    const topic = `results-${randomUUID().slice(0, 8)}`;
    await setBrokers(workspace.dir, broker.brokers);
    await addKafkaOutput(workspace.dir, topic);
    await createTopics(broker.brokers, Object.values(workspace.topics), 1);
    const quarter = Math.ceil(lines.length / 4);
    // Killed right after a commit (0 ms: before or while its results are produced), or a little later.
    for (const [index, delay] of [0, 40, 0, 150].entries()) {
      await produceLines(workspace, lines.slice(index * quarter, (index + 1) * quarter));
      await killDaemonAfterNextCommit(workspace, broker.brokers, delay, 20);
    }
    const daemon = startDaemon(workspace, broker.brokers);
    try {
      const expectedIds = new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size;
      await eventually(async () => new Set(await lakeIds(workspace.dir)).size, (count) => count >= expectedIds, 120_000, 1_000);
      // The outbox is drained within a few seconds of the last commit.
      await eventually(async () => (await fs.readdir(path.join(workspace.dir, 'lake', '_streams', 'outbox'))).filter((name) => name.endsWith('.ndjson')).length, (count) => count === 0, 60_000, 500);
    } finally {
      daemon.process.kill('SIGTERM');
      await daemon.process;
    }

    const expected = await lakeResults(workspace.dir);
    for (const job of OUTPUT_JOBS) expect(expected[job]!.length, job).toBeGreaterThan(0);
    const total = OUTPUT_JOBS.reduce((sum, job) => sum + expected[job]!.length, 0);
    const messages = await consumeTopic(broker.brokers, topic, total);
    // Nothing lost, nothing the lake does not hold: the distinct messages are the lake's results.
    const distinct = [...new Map(messages.map((message) => [`${message.key}\u0000${message.value}`, message])).values()];
    expect(topicResults(distinct)).toEqual(expected);
    checkKeys(messages);
    expect(messages.length).toBeGreaterThanOrEqual(total);
  });
});
