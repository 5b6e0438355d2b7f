/**
 * `analytics ingest kafka` against a real broker: steady ingest with reconciled counts, poison
 * messages, SIGTERM, the metrics endpoint and `ingest status`, and the errors that exit.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lakeCounts, messageLines, runCli } from '../support/cli.js';
import { fraudDetectionEvent, mixedEvents, transactionEvent, type TestEvent } from '../support/events.js';
import { DEFAULT_TEST_KAFKA_PORT as PORT } from '../support/kafka-broker.js';
import { createTopics, deadLetters, eventually, kafkaClient, lakeIds, makeKafkaWorkspace, messagesInTopics, produceEvents, repeated, startDaemon, useBrokerWithProducer } from '../support/kafka-ingest.js';
import { STACK_TRACE } from '../support/assertions.js';
import { withLakeLock } from '../../src/lake/lock.js';
import { LakeLayout } from '../../src/lake/layout.js';
import type { MetricsReport } from '../../src/pipelines/kafka/metrics.js';


/** Reads `count` messages of a topic from its beginning with a throwaway group. */
async function readTopic(brokers: string, topic: string, count: number): Promise<{ origin: string; stage: string; reasons: string[]; bytes: number; omitted: string }[]> {
  const consumer = kafkaClient(brokers).consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const out: { origin: string; stage: string; reasons: string[]; bytes: number; omitted: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} messages from ${topic}`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => String(message.headers?.[name] ?? '');
          out.push({ origin: header('analytics-origin'), stage: header('analytics-stage'), reasons: JSON.parse(header('analytics-reasons')) as string[], bytes: message.value?.length ?? -1, omitted: header('analytics-value-omitted-bytes') });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** `analytics ingest status --format json`: the run, and the daemon's report when it answered. */
async function statusJson(port: number, cwd: string): Promise<{ run: Awaited<ReturnType<typeof runCli>>; report: MetricsReport | undefined }> {
  const run = await runCli(['ingest', 'status', '--port', String(port), '--format', 'json'], { cwd });
  return { run, report: run.exitCode === 0 ? JSON.parse(run.stdout) as MetricsReport : undefined };
}

describe('analytics ingest kafka', () => {
  const kafka = useBrokerWithProducer();

  /** A workspace with its topics and a daemon serving its metrics on `port`, once it holds its partitions. */
  async function startDaemonWithMetrics(options: Parameters<typeof makeKafkaWorkspace>[0], port: number) {
    const workspace = await makeKafkaWorkspace(options);
    await createTopics(kafka.broker.brokers, Object.values(workspace.topics));
    const daemon = startDaemon(workspace, kafka.broker.brokers, ['--from-beginning', '--metrics-port', String(port)]);
    await daemon.waitForLog(/^assigned 12 partitions/);
    return { workspace, daemon };
  }

  it('stores good events once, dead-letters bad ones and drops re-sent ids; consumed = stored + rejected + duplicates', async () => {
    // Given 2,000 good events over the four topics, 40 bad ones and 60 re-sent good ones
    const workspace = await makeKafkaWorkspace();
    await createTopics(kafka.broker.brokers, Object.values(workspace.topics));
    const good = mixedEvents('steady', 2_000);
    const bad: TestEvent[] = [
      ...Array.from({ length: 20 }, (_, n) => ({ ...transactionEvent(`bad-amount-${n}`, n), data: { ...transactionEvent('x', n).data, amount: 'lots' } })),
      ...Array.from({ length: 20 }, (_, n) => ({ ...fraudDetectionEvent(`bad-version-${n}`, n), version: 99 })),
    ];
    const resent = good.filter((_, n) => n % 33 === 0).slice(0, 60);
    expect(resent).toHaveLength(60);
    await produceEvents(kafka.producer, workspace.topics, good.slice(0, 1_000));
    await produceEvents(kafka.producer, workspace.topics, bad);

    // When the daemon runs while the rest (and the re-sends) arrive
    const daemon = startDaemon(workspace, kafka.broker.brokers);
    await daemon.waitForLog(/^assigned 12 partitions/);
    await produceEvents(kafka.producer, workspace.topics, good.slice(1_000));
    await produceEvents(kafka.producer, workspace.topics, resent);
    const counts = await eventually(() => lakeCounts(workspace.dir), (c) => c.transactions + c.fraud_detections + c.security_alerts + c.notifications >= 2_000 && c.dead_letters >= 40);
    // A little longer, so a late duplicate would show up
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    daemon.process.kill('SIGTERM');
    const result = await daemon.process;

    // Then every good id is stored exactly once and the counts reconcile
    expect(result.exitCode, daemon.stderr()).toBe(0);
    const summary = JSON.parse(String(result.stdout)) as { totals: { consumed: number; stored: number; rejected: number; duplicates: number } };
    expect(await messagesInTopics(kafka.broker.brokers, Object.values(workspace.topics))).toBe(2_100);
    expect(summary.totals).toMatchObject({ consumed: 2_100, stored: 2_000, rejected: 40, duplicates: 60 });
    expect(summary.totals.consumed).toBe(summary.totals.stored + summary.totals.rejected + summary.totals.duplicates);
    expect(counts).toMatchObject({ transactions: 500, fraud_detections: 500, security_alerts: 500, notifications: 500, dead_letters: 40 });
    const ids = await lakeIds(workspace.dir);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(good.map((event) => event.id)));
    const letters = await deadLetters(workspace.dir);
    expect(letters.every((letter) => letter.stage === 'validate' && /^(tx|fd)-[0-9a-f]{8}\/\d@\d+$/.test(letter.origin))).toBe(true);
    expect(letters.filter((letter) => letter.reasons.some((reason) => /amount/.test(reason)))).toHaveLength(20);
    expect(letters.filter((letter) => letter.reasons.some((reason) => /version/.test(reason)))).toHaveLength(20);
    // And the logs are JSON lines, one object each
    expect(messageLines(daemon.stderr())).toEqual([]);
  });

  it('dead-letters poison messages with their reason and goes on', async () => {
    // Given a transactions topic that accepts 16 MB messages, and every kind of poison
    // (the dead-letter topic keeps the default 1 MB limit)
    const deadLetterTopic = `dlt-${randomUUID().slice(0, 8)}`;
    const workspace = await makeKafkaWorkspace({ extraYaml: `  dead_letter_topic: ${deadLetterTopic}\n` });
    await createTopics(kafka.broker.brokers, Object.values(workspace.topics), 1, [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }]);
    const topic = workspace.topics.transaction;
    const latin1 = Buffer.from(JSON.stringify({ ...transactionEvent('latin1', 1), source: 'caf\u00e9' }), 'latin1');
    const poison: { label: string; value: Buffer | null; reason: RegExp; stage: string }[] = [
      { label: 'not JSON', value: Buffer.from('this is {not json'), reason: /invalid JSON/, stage: 'validate' },
      { label: 'empty', value: Buffer.alloc(0), reason: /empty message/, stage: 'parse' },
      { label: 'null (tombstone)', value: null, reason: /empty message/, stage: 'parse' },
      { label: '10 MB', value: Buffer.alloc(10 * 1024 * 1024, 'x'), reason: /message too large: the value has 10485760 bytes/, stage: 'parse' },
      { label: 'invalid UTF-8', value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), reason: /not UTF-8/, stage: 'parse' },
      { label: 'Latin-1', value: latin1, reason: /not UTF-8/, stage: 'parse' },
      { label: 'schema violation', value: Buffer.from(JSON.stringify({ ...transactionEvent('bad-currency', 2), data: { ...transactionEvent('y', 2).data, currency: 'XXXX' } })), reason: /currency/, stage: 'validate' },
      { label: 'unknown version', value: Buffer.from(JSON.stringify({ ...transactionEvent('v7', 3), version: 7 })), reason: /version/, stage: 'validate' },
    ];
    const daemon = startDaemon(workspace, kafka.broker.brokers);
    await daemon.waitForLog(/^assigned 4 partitions/);

    // When they arrive between good events
    await produceEvents(kafka.producer, workspace.topics, [transactionEvent('before-poison', 1)]);
    for (const { value } of poison) await kafka.producer.send({ topic, acks: -1, messages: [{ value }] });
    await produceEvents(kafka.producer, workspace.topics, [transactionEvent('after-poison', 2)]);

    // Then each is a dead letter with its reason, in order, and the events around them are stored
    const letters = await eventually(() => deadLetters(workspace.dir), (rows) => rows.length >= poison.length);
    expect(letters).toHaveLength(poison.length);
    const byOffset = [...letters].sort((a, b) => Number(a.origin.split('@')[1]) - Number(b.origin.split('@')[1]));
    poison.forEach((expected, index) => {
      const letter = byOffset[index]!;
      expect(letter.origin, expected.label).toBe(`${topic}/0@${index + 1}`);
      expect(letter.stage, expected.label).toBe(expected.stage);
      expect(letter.reasons.join('; '), expected.label).toMatch(expected.reason);
    });
    expect(byOffset[3]!.raw.length).toBeLessThanOrEqual(64 * 1024);
    // And the dead-letter topic has each one, the reasons in headers (the 10 MB value left out)
    const published = await readTopic(kafka.broker.brokers, deadLetterTopic, poison.length);
    expect(published.map((m) => m.origin).sort()).toEqual(letters.map((letter) => letter.origin).sort());
    for (const message of published) {
      const letter = letters.find((l) => l.origin === message.origin)!;
      expect(message.reasons).toEqual(letter.reasons);
      expect(message.stage).toBe(letter.stage);
    }
    expect(published.find((m) => m.origin === `${topic}/0@4`)).toMatchObject({ bytes: -1, omitted: '10485760' });
    expect(published.find((m) => m.origin === `${topic}/0@5`)?.bytes).toBe(6);
    const ids = await eventually(() => lakeIds(workspace.dir), (rows) => rows.length >= 2);
    expect(ids.sort()).toEqual(['after-poison', 'before-poison']);
    // And the daemon is still consuming
    expect(daemon.process.exitCode).toBeNull();
    await produceEvents(kafka.producer, workspace.topics, [transactionEvent('later', 3)]);
    await eventually(() => lakeIds(workspace.dir), (rows) => rows.includes('later'));
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode).toBe(0);
  });

  it('SIGTERM writes what is buffered, commits and exits 0 within 10 s; status shows the metrics meanwhile', async () => {
    // Given a daemon whose batches wait a minute, with 500 events in its buffer
    const metricsPort = 19_470;
    const { workspace, daemon } = await startDaemonWithMetrics({ batchMaxMs: 60_000 }, metricsPort);
    const events = mixedEvents('term', 500);
    await produceEvents(kafka.producer, workspace.topics, events);
    const status = await eventually(
      async () => (await statusJson(metricsPort, workspace.dir)).report,
      (report) => report !== undefined && report.buffer.messages === 500,
      30_000,
    );
    expect(status).toMatchObject({ state: 'running' });
    expect(status!.partitions).toHaveLength(12);
    const text = await runCli(['ingest', 'status', '--port', String(metricsPort)], { cwd: workspace.dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/running/);
    expect(text.stdout).toMatch(new RegExp(`${workspace.topics.transaction}\\s.*\\b0\\b`));
    expect((await lakeCounts(workspace.dir)).transactions).toBe(0);

    // When it gets SIGTERM
    const stopAt = Date.now();
    daemon.process.kill('SIGTERM');
    const result = await daemon.process;

    // Then it flushed all 500 and exited 0 within 10 s
    expect(result.exitCode, daemon.stderr()).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
    const ids = await lakeIds(workspace.dir);
    expect(ids.sort()).toEqual(events.map((event) => event.id).sort());
    // And status says plainly that nothing is running now
    const after = await runCli(['ingest', 'status', '--port', String(metricsPort)], { cwd: workspace.dir });
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toMatch(/No Kafka ingest daemon answers on 127\.0\.0\.1:19470/);
  });

  it('with a short batch window, never more than two batches are written at once (a timed flush waits for the writer)', async () => {
    // Given a daemon that flushes every 20 ms, faster than a batch commits
    const metricsPort = 19_471;
    const { workspace, daemon } = await startDaemonWithMetrics({ batchMaxMs: 20, maxEvents: 1_000 }, metricsPort);

    // When 20,000 events arrive at once
    const events = mixedEvents('window', 20_000);
    await produceEvents(kafka.producer, workspace.topics, events);
    await eventually(() => lakeIds(workspace.dir), (ids) => ids.length >= events.length, 90_000, 500);

    // Then they are all stored once, in several batches, with at most two written at a time
    const { run, report } = await statusJson(metricsPort, workspace.dir);
    expect(run.exitCode, run.stderr).toBe(0);
    if (!report) throw new Error(run.stdout);
    expect(report.totals.stored).toBe(events.length);
    expect(report.totals.batches, JSON.stringify(report)).toBeGreaterThan(3);
    expect(report.writes.limit).toBe(2);
    expect(report.writes.max_in_flight).toBeGreaterThanOrEqual(1);
    expect(report.writes.max_in_flight, JSON.stringify(report.totals)).toBeLessThanOrEqual(2);
    const text = await runCli(['ingest', 'status', '--port', String(metricsPort)], { cwd: workspace.dir });
    expect(text.stdout).toMatch(/writes\s+\d of 2 batches being written \(at most [12] so far/);
    const ids = await lakeIds(workspace.dir);
    expect(repeated(ids)).toEqual([]);
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode, daemon.stderr()).toBe(0);
  });

  it('writes a paused stream\'s batch of a tenth of max_events at once; a smaller one waits for max_ms', async () => {
    // Given a daemon whose batches wait up to a minute for 1,000 events
    const { workspace, daemon } = await startDaemonWithMetrics({ batchMaxMs: 60_000, maxEvents: 1_000 }, 19_472);

    // When 500 events arrive and then nothing more
    const burst = mixedEvents('pause', 500);
    await produceEvents(kafka.producer, workspace.topics, burst);

    // Then they are written as soon as the stream pauses, not after the minute
    const committed = await daemon.waitForLog(/^batch committed/, 30_000);
    expect(committed.reason).toBe('pause');
    await eventually(() => lakeIds(workspace.dir), (ids) => ids.length === burst.length, 30_000, 250);

    // And 50 more (under a tenth) wait in the buffer, until SIGTERM writes them
    const trickle = mixedEvents('trickle', 50);
    await produceEvents(kafka.producer, workspace.topics, trickle);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await lakeIds(workspace.dir)).length).toBe(burst.length);
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode, daemon.stderr()).toBe(0);
    const ids = await lakeIds(workspace.dir);
    expect(ids.length).toBe(burst.length + trickle.length);
    expect(repeated(ids)).toEqual([]);
  });

  it('keeps retrying a wrong broker address, logging it, and stops cleanly on SIGTERM', async () => {
    const workspace = await makeKafkaWorkspace();
    const daemon = startDaemon(workspace, '127.0.0.1:1');
    await daemon.waitForLog(/cannot reach Kafka at 127\.0\.0\.1:1: .*retrying \(attempt 1\)/, 20_000);
    await daemon.waitForLog(/cannot reach Kafka at 127\.0\.0\.1:1: .*retrying \(attempt [2-9]\)/, 20_000);
    expect(daemon.process.exitCode).toBeNull();
    daemon.process.kill('SIGTERM');
    const result = await daemon.process;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('retries a batch while another writer holds the lake past ANALYTICS_LAKE_LOCK_WAIT: nothing lost, nothing twice', async () => {
    // Given a daemon that waits 1 s for the lake lock, and another process holding the lock
    const workspace = await makeKafkaWorkspace();
    await createTopics(kafka.broker.brokers, Object.values(workspace.topics));
    const daemon = startDaemon(workspace, kafka.broker.brokers, ['--from-beginning'], { ANALYTICS_LAKE_LOCK_WAIT: '1s' });
    await daemon.waitForLog(/^assigned 12 partitions/);
    let held!: () => void;
    const taken = new Promise<void>((resolve) => { held = resolve; });
    const holding = withLakeLock(new LakeLayout(path.join(workspace.dir, 'lake')), async () => {
      held();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    });
    await taken;

    // When events arrive while the lock is held
    const events = mixedEvents('busy', 400);
    await produceEvents(kafka.producer, workspace.topics, events);

    // Then the daemon says the lake is busy, keeps running, and stores each event once after
    const busy = await daemon.waitForLog(/^lake busy, retrying the batch: Another process held the lake lock/, 30_000);
    expect(busy.level).toBe('warn');
    await holding;
    const ids = await eventually(() => lakeIds(workspace.dir), (found) => found.length >= events.length, 60_000);
    expect(daemon.process.exitCode).toBeNull();
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.id)));
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode, daemon.stderr()).toBe(0);
  });

  it('exits 1 with one line for refused credentials and for a topic that cannot be created', async () => {
    // Bad credentials: the test broker speaks no SASL, so it refuses any login
    const withSasl = await makeKafkaWorkspace({ extraYaml: '  sasl:\n    mechanism: plain\n    username: analytics\n    password: ${KAFKA_TEST_PASSWORD:-wrong}\n' });
    const auth = startDaemon(withSasl, kafka.broker.brokers);
    const refused = await auth.process;
    expect(refused.exitCode).toBe(1);
    expect(messageLines(String(refused.stderr))[0]).toMatch(new RegExp(String.raw`^Error: Kafka at 127\.0\.0\.1:${PORT} refused the SASL login`));
    expect(String(refused.stderr)).not.toMatch(STACK_TRACE);

    // A topic name Kafka does not allow cannot be created
    const plain = await makeKafkaWorkspace();
    const badTopic = startDaemon(plain, kafka.broker.brokers, ['--topics', 'no spaces allowed']);
    const failed = await badTopic.process;
    expect(failed.exitCode).toBe(1);
    expect(messageLines(String(failed.stderr))[0]).toMatch(/^Error: Kafka topic no spaces allowed does not exist and cannot be created \(INVALID_TOPIC_EXCEPTION\)/);
    expect(String(failed.stderr)).not.toMatch(STACK_TRACE);
  });

  it('creates missing topics and starts at their end without --from-beginning', async () => {
    const workspace = await makeKafkaWorkspace();
    const daemon = startDaemon(workspace, kafka.broker.brokers, []);
    await daemon.waitForLog(/^created topics /);
    await daemon.waitForLog(/^assigned 12 partitions/);
    await produceEvents(kafka.producer, workspace.topics, mixedEvents('fresh', 8));
    await eventually(() => lakeIds(workspace.dir), (ids) => ids.length >= 8);
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode).toBe(0);
    expect((await lakeIds(workspace.dir)).sort()).toEqual(mixedEvents('fresh', 8).map((event) => event.id).sort());
  });

  it('generate --to kafka:// feeds the daemon at --rate-limit: stored, rejected and duplicates match the ground truth', async () => {
    // Given 3,000 generated records (bad ones and re-sends among them) produced at 3,000/s
    const workspace = await makeKafkaWorkspace();
    const truthFile = path.join(workspace.dir, 'truth.json');
    const started = Date.now();
    const generated = await runCli(
      ['generate', '--to', `kafka://${kafka.broker.brokers}`, '--count', '3000', '--seed', '11', '--bad-ratio', '0.03', '--duplicate-ratio', '0.02', '--rate-limit', '3000', '--truth', truthFile, '-w', workspace.dir],
      { cwd: workspace.dir },
    );
    const elapsed = Date.now() - started;
    expect(generated.exitCode, generated.stderr).toBe(0);
    expect(elapsed).toBeGreaterThan(950);
    const truth = (JSON.parse(await readFile(truthFile, 'utf8')) as { counts: { total: number; good: number; bad: number; duplicates: number } }).counts;
    expect(truth.total).toBe(3_000);

    // When the daemon reads the workspace's topics
    const daemon = startDaemon(workspace, kafka.broker.brokers);
    await eventually(() => lakeCounts(workspace.dir), (c) => c.transactions + c.fraud_detections + c.security_alerts + c.notifications >= truth.good && c.dead_letters >= truth.bad);
    daemon.process.kill('SIGTERM');
    const result = await daemon.process;

    // Then the counts are the truth's
    expect(result.exitCode, daemon.stderr()).toBe(0);
    const summary = JSON.parse(String(result.stdout)) as { totals: { consumed: number; stored: number; rejected: number; duplicates: number } };
    expect(summary.totals).toMatchObject({ consumed: truth.total, stored: truth.good, rejected: truth.bad, duplicates: truth.duplicates });
  });
});
