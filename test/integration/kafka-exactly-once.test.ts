/**
 * Exactly once into the lake, whatever happens to the daemons: SIGKILL at random moments (mid
 * batch, mid write, between the lake commit and Kafka's offset commit), and a rebalance in which
 * one daemon is killed and another joins. The set of ids in the lake must equal the set produced,
 * each id once.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mixedEvents, transactions } from '../support/events.js';
import { createTopics, eventually, kafkaClient, lakeIds, makeKafkaWorkspace, produceEvents, repeated, startDaemon, useBrokerWithProducer, type Producer, type Topics } from '../support/kafka-ingest.js';
import type { TestEvent } from '../support/events.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Produces `perTick` events every 50 ms until stopped; returns every id it produced. */
function steadyTraffic(producer: Producer, topics: Topics, make: (tick: number) => TestEvent[]): { stop: () => Promise<string[]> } {
  const ids: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let tick = 0; running; tick++) {
      const events = make(tick);
      await produceEvents(producer, topics, events);
      ids.push(...events.map((event) => event.id));
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return ids;
    },
  };
}

/** The group's offsets in the newest lake snapshot, as `topic/partition` → next offset. */
async function lakeOffsets(dir: string, group: string): Promise<Record<string, number>> {
  const snapshots = path.join(dir, 'lake', '_snapshots');
  const newest = (await readdir(snapshots)).filter((name) => name.endsWith('.json')).sort().at(-1)!;
  const snapshot = JSON.parse(await readFile(path.join(snapshots, newest), 'utf8')) as { sources: { kafka: Record<string, Record<string, Record<string, number>>> } };
  return Object.fromEntries(Object.entries(snapshot.sources.kafka[group] ?? {}).flatMap(([topic, partitions]) => Object.entries(partitions).map(([partition, offset]) => [`${topic}/${partition}`, offset])));
}

async function endOffsets(brokers: string, topics: readonly string[]): Promise<Record<string, number>> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    const entries: [string, number][] = [];
    for (const topic of topics) for (const { partition, high } of await admin.fetchTopicOffsets(topic)) entries.push([`${topic}/${partition}`, Number(high)]);
    return Object.fromEntries(entries);
  } finally {
    await admin.disconnect();
  }
}

describe('Kafka ingest: exactly once', () => {
  const kafka = useBrokerWithProducer();

  /**
   * Produces steady traffic on all four topics, kills a daemon with SIGKILL at a random moment
   * `rounds` times, then lets a last daemon catch up and stop; every produced id must then be in
   * the lake exactly once and the lake's offsets must be the end of every partition.
   */
  async function killRepeatedlyThenCatchUp(options: { prefix: string; rounds: number; minDelayMs: number; batchMaxMs: number; maxEvents?: number }): Promise<{ stderrs: string[] }> {
    const workspace = await makeKafkaWorkspace({ batchMaxMs: options.batchMaxMs, ...(options.maxEvents ? { maxEvents: options.maxEvents } : {}) });
    await createTopics(kafka.broker.brokers, Object.values(workspace.topics));
    const traffic = steadyTraffic(kafka.producer, workspace.topics, (tick) => mixedEvents(`${options.prefix}${tick}`, 20));
    const delays: number[] = [];
    const stderrs: string[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const daemon = startDaemon(workspace, kafka.broker.brokers);
      await daemon.waitForLog(/^assigned 12 partitions/, 60_000);
      const delay = options.minDelayMs + Math.floor(Math.random() * 2_500);
      delays.push(delay);
      await sleep(delay);
      daemon.process.kill('SIGKILL');
      await daemon.process;
      stderrs.push(daemon.stderr());
    }
    const produced = await traffic.stop();

    const last = startDaemon(workspace, kafka.broker.brokers);
    // Consuming before the SIGTERM: the killed daemons may have stored everything already, and a
    // signal before the handler is installed ends the process with no exit code.
    await last.waitForLog(/^assigned \d+ partition/);
    const ids = await eventually(() => lakeIds(workspace.dir), (found) => found.length >= produced.length, 90_000, 1_000);
    last.process.kill('SIGTERM');
    expect((await last.process).exitCode, last.stderr()).toBe(0);
    const context = `kill delays ${delays.join(', ')} ms`;
    expect(repeated(ids), context).toEqual([]);
    expect(ids.length, context).toBe(produced.length);
    expect(new Set(ids), context).toEqual(new Set(produced));
    expect(await lakeOffsets(workspace.dir, workspace.group)).toEqual(await endOffsets(kafka.broker.brokers, Object.values(workspace.topics)));
    return { stderrs: [...stderrs, last.stderr()] };
  }

  it('loses and duplicates nothing when the daemon is killed with SIGKILL at random moments, 5 times', async () => {
    // A daemon that commits every 300 ms, killed 5 times, then a last one catches up.
    await killRepeatedlyThenCatchUp({ prefix: 'kill', rounds: 5, minDelayMs: 200, batchMaxMs: 300 });
  });

  it('loses and duplicates nothing when killed while one batch is written and the next fills (pipelined size-triggered writes)', async () => {
    // A daemon whose buffer fills (150 messages) long before its timer (5 s): writes are triggered
    // by size and overlap with consumption; killed 4 times, then a last one catches up.
    const { stderrs } = await killRepeatedlyThenCatchUp({ prefix: 'pipe', rounds: 4, minDelayMs: 300, batchMaxMs: 5_000, maxEvents: 150 });
    // The killed daemons were writing by size (each starts on the backlog its predecessor left);
    // the last one may find less than a batch left.
    expect(stderrs.slice(0, -1).some((stderr) => /"reason":"size"/.test(stderr)), 'size-triggered batches before a kill').toBe(true);
  });

  it('shares partitions between daemons of one group; a rebalance (one killed, one joining) loses and duplicates nothing', async () => {
    // Given one 3-partition topic with steady traffic, and two daemons in one group
    const workspace = await makeKafkaWorkspace({ batchMaxMs: 300 });
    const topic = workspace.topics.transaction;
    await createTopics(kafka.broker.brokers, [topic]);
    const traffic = steadyTraffic(kafka.producer, workspace.topics, (tick) => transactions(`reb${tick}`, 20));
    const args = ['--from-beginning', '--topics', topic];
    const first = startDaemon(workspace, kafka.broker.brokers, args);
    await first.waitForLog(/^assigned 3 partitions/);
    const second = startDaemon(workspace, kafka.broker.brokers, args);
    const secondShare = await second.waitForLog(/^assigned [12] partitions?;/);
    await first.waitForLog(/^assigned [12] partitions?;/);
    await sleep(2_000);

    // When the first is killed mid-stream and a third joins
    first.process.kill('SIGKILL');
    await first.process;
    await sleep(1_000);
    const third = startDaemon(workspace, kafka.broker.brokers, args);
    const thirdShare = await third.waitForLog(/^assigned [12] partitions?;/, 60_000);
    await sleep(3_000);
    const produced = await traffic.stop();

    // Then the survivors store every event exactly once
    const ids = await eventually(() => lakeIds(workspace.dir), (found) => found.length >= produced.length, 60_000, 1_000);
    second.process.kill('SIGTERM');
    third.process.kill('SIGTERM');
    expect((await second.process).exitCode, second.stderr()).toBe(0);
    expect((await third.process).exitCode, third.stderr()).toBe(0);
    expect(repeated(ids)).toEqual([]);
    expect(ids.length).toBe(produced.length);
    expect(new Set(ids)).toEqual(new Set(produced));
    // And each daemon had a share of the partitions at some point
    expect(Object.keys(secondShare.offsets as object).length).toBeGreaterThan(0);
    expect(Object.keys(thirdShare.offsets as object).length).toBeGreaterThan(0);
  });
});
