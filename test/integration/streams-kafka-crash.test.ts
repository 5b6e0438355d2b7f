/**
 * Stream jobs in the Kafka daemon across SIGKILL: the same messages consumed by a daemon that
 * is killed three times and restarted, and by one that is not. Batch boundaries differ between
 * the two (they depend on fetch timing), so revisions and batch ids may differ; the final
 * results (each window's last revision, the pairs, the matches) and the refused events must not.
 * The traffic has no event later than the allowed lateness (only the future one), so what is
 * refused does not depend on batch boundaries either.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, removeTempDirs } from '../support/cli.js';
import { sharedBroker, type KafkaBrokerHandle } from '../support/kafka-broker.js';
import { connectProducer, createTopics, eventually, killDaemonAfterNextCommit, lakeIds, makeKafkaWorkspace, startDaemon, type KafkaWorkspace, type Producer } from '../support/kafka-ingest.js';
import { canonicalRows, writeStreamTraffic } from '../support/stream-traffic.js';


const FINAL: Record<string, string> = {
  tx_per_minute: `SELECT * EXCLUDE (revision, batch_id) FROM tx_per_minute QUALIFY revision = max(revision) OVER (PARTITION BY window_start, country, channel)`,
  merchant_decline_rate: `SELECT * EXCLUDE (revision, batch_id) FROM merchant_decline_rate QUALIFY revision = max(revision) OVER (PARTITION BY window_start, merchant_id)`,
  notification_latency: `SELECT * EXCLUDE (revision, batch_id) FROM notification_latency QUALIFY revision = max(revision) OVER (PARTITION BY window_start, channel)`,
  fraud_joined: `SELECT * EXCLUDE (batch_id) FROM fraud_joined`,
  failed_logins_then_large_tx: `SELECT * EXCLUDE (batch_id) FROM failed_logins_then_large_tx`,
};

async function finalResults(dir: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [job, sql] of Object.entries(FINAL)) out[job] = canonicalRows(await queryRows(dir, sql));
  out.refused = canonicalRows(await queryRows(dir, `SELECT origin, stage, event_id FROM dead_letters WHERE origin LIKE 'stream:%'`));
  return out;
}

describe('stream jobs in the Kafka daemon across SIGKILL', () => {
  let broker: KafkaBrokerHandle;
  let producer: Producer;
  let lines: string[];
  let expectedIds: number;

  beforeAll(async () => {
    broker = await sharedBroker();
    producer = await connectProducer(broker.brokers);
    const dir = await fs.mkdtemp(path.join(process.env.TMPDIR ?? '/tmp', 'stream-traffic-'));
    // No held-back events: whether an event later than the allowed lateness is refused depends on
    // whether it shares a batch with the events that make it late (a batch is sorted before the
    // jobs see it), and Kafka batches depend on fetch timing. streams-crash.test.ts covers late
    // events across SIGKILL with file ingest, whose batches are the files.
    const { files } = await writeStreamTraffic(dir, { seed: 13, count: 12_000, start: '2026-11-24T08:00:00Z', end: '2026-11-24T11:00:00Z', parts: 6, lateShare: 0 });
    lines = [];
    for (const file of files) lines.push(...(await fs.readFile(file, 'utf8')).split('\n').filter(Boolean));
    expectedIds = new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size;
  });
  afterAll(async () => {
    await producer?.disconnect();
    await broker?.stop();
    await removeTempDirs();
  });

  /** Sends lines to the workspace's topics, in order (one partition per topic). */
  async function produce(workspace: KafkaWorkspace, part: readonly string[]): Promise<void> {
    for (let index = 0; index < part.length; index += 1_000) {
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const line of part.slice(index, index + 1_000)) {
        const event = JSON.parse(line) as { id: string; type: keyof KafkaWorkspace['topics'] };
        const topic = workspace.topics[event.type];
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: event.id, value: line }]);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
  }

  async function runToEnd(workspace: KafkaWorkspace): Promise<void> {
    const daemon = startDaemon(workspace, broker.brokers);
    // Consuming before the SIGTERM below: when the killed daemons had stored everything already,
    // the lake check passed at once and the signal reached a process still loading, before its
    // handler (ended by the signal, no exit code).
    await daemon.waitForLog(/^assigned \d+ partition/);
    await eventually(async () => new Set(await lakeIds(workspace.dir)).size, (count) => count >= expectedIds, 120_000, 1_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\ndaemon stderr:\n${daemon.stderr().slice(-5000)}`);
    });
    daemon.process.kill('SIGTERM');
    const ended = await daemon.process;
    expect(ended.exitCode, `signal ${String(ended.signal)}; daemon stderr:\n${daemon.stderr().slice(-3000)}`).toBe(0);
  }

  it('leaves the same final results and refused events as an uninterrupted daemon', { timeout: 500_000 }, async () => {
    const steady = await makeKafkaWorkspace({ streams: true, maxEvents: 1_500, batchMaxMs: 300 });
    const killed = await makeKafkaWorkspace({ streams: true, maxEvents: 1_500, batchMaxMs: 300 });
    await createTopics(broker.brokers, Object.values(steady.topics), 1);
    await createTopics(broker.brokers, Object.values(killed.topics), 1);
    await produce(steady, lines);
    await runToEnd(steady);

    // The killed daemon gets the messages in four parts, and is killed once per part after a
    // commit, at a varying moment (mid-batch, mid-commit or idle).
    const quarter = Math.ceil(lines.length / 4);
    let kills = 0;
    for (const [index, delay] of [150, 0, 300, 60].entries()) {
      await produce(killed, lines.slice(index * quarter, (index + 1) * quarter));
      await killDaemonAfterNextCommit(killed, broker.brokers, delay);
      kills++;
    }
    expect(kills).toBe(4);
    await runToEnd(killed);

    const expected = await finalResults(steady.dir);
    if (expected.failed_logins_then_large_tx!.length === 0) {
      const letters = await queryRows(steady.dir, `SELECT event_id, origin, reasons FROM dead_letters WHERE event_id LIKE 'seq-%'`);
      const stored = await queryRows(steady.dir, `SELECT id, occurred_at, batch_id, ingested_at FROM security_alerts WHERE id LIKE 'seq-%' UNION ALL SELECT id, occurred_at, batch_id, ingested_at FROM transactions WHERE id LIKE 'seq-%'`);
      throw new Error(`no match: dead letters ${JSON.stringify(letters)} stored ${JSON.stringify(stored)}`);
    }
    for (const job of Object.keys(FINAL)) expect(expected[job]!.length, job).toBeGreaterThan(0);
    expect(expected.refused!.length).toBeGreaterThan(0);
    const actual = await finalResults(killed.dir);
    const differences = Object.keys(expected).flatMap((key) => {
      const want = new Set(expected[key]);
      const got = new Set(actual[key]);
      return [...expected[key]!.filter((row) => !got.has(row)).slice(0, 3).map((row) => `${key} only uninterrupted: ${row}`), ...actual[key]!.filter((row) => !want.has(row)).slice(0, 3).map((row) => `${key} only killed: ${row}`)];
    });
    expect(differences).toEqual([]);
  });
});
