/**
 * For the Kafka ingest integration tests: workspaces with their own topics and group, the
 * daemon run as a real process (`node bin/run.js ingest kafka`), a kafkajs producer and
 * checks of the lake through `analytics query`. Nothing here stands in for Kafka.
 */
import { appendFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { CLI, makeWorkspace, queryRows, removeTempDirs } from './cli.js';
import { sharedBroker, type KafkaBrokerHandle } from './kafka-broker.js';
import type { TestEvent } from './events.js';
import { TABLE_OF } from './events.js';
import { LakeLayout } from '../../src/lake/layout.js';
import { listSnapshotVersions } from '../../src/lake/snapshot.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export type Topics = Record<'transaction' | 'fraud_detection' | 'security_alert' | 'notification', string>;

export interface KafkaWorkspace {
  dir: string;
  group: string;
  topics: Topics;
}

/** A workspace whose kafka: section names fresh topics and a fresh group (so tests sharing a broker never meet). */
export async function makeKafkaWorkspace(options: { batchMaxMs?: number; maxEvents?: number; extraYaml?: string; streams?: boolean } = {}): Promise<KafkaWorkspace> {
  const dir = await makeWorkspace({ streams: options.streams ?? false });
  const tag = randomUUID().slice(0, 8);
  const topics: Topics = {
    transaction: `tx-${tag}`,
    fraud_detection: `fd-${tag}`,
    security_alert: `sa-${tag}`,
    notification: `nt-${tag}`,
  };
  const group = `it-${tag}`;
  await appendFile(path.join(dir, 'analytics.yaml'), `
kafka:
  group: ${group}
  topics:
${Object.entries(topics).map(([type, topic]) => `    ${type}: ${topic}`).join('\n')}
  batch:
    max_events: ${options.maxEvents ?? 50000}
    max_ms: ${options.batchMaxMs ?? 300}
  session_timeout_ms: 6000
  metrics_port: 0
${options.extraYaml ?? ''}`);
  return { dir, group, topics };
}

export function kafkaClient(brokers: string) {
  return new Kafka({ clientId: 'analytics-it', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2_000 } });
}

/** Creates the workspace's topics with `partitions` partitions each (and extra topic configs). */
export async function createTopics(brokers: string, topics: readonly string[], partitions = 3, configEntries: { name: string; value: string }[] = []): Promise<void> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    // A loaded machine or a broker that has just started can miss kafkajs's 5 s default for the
    // leaders; a second attempt finds the topics that the first one created.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries })), waitForLeaders: true, timeout: 30_000 });
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** How many messages the topics hold (sum of their end offsets). */
export async function messagesInTopics(brokers: string, topics: readonly string[]): Promise<number> {
  const admin = kafkaClient(brokers).admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of topics) for (const { high, low } of await admin.fetchTopicOffsets(topic)) total += Number(high) - Number(low);
    return total;
  } finally {
    await admin.disconnect();
  }
}

export type Producer = ReturnType<ReturnType<typeof kafkaClient>['producer']>;

export async function connectProducer(brokers: string): Promise<Producer> {
  // Idempotent: a send retried after a timeout (a busy 2-core machine) must not write the
  // messages twice, or the tests' counts would not be the daemon's to explain.
  const producer = kafkaClient(brokers).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** Sends events to their type's topic, keyed by id (so a re-sent id lands in the same partition). */
/**
 * For a describe block: a real broker on `port` and a connected producer, started before its tests
 * and stopped (with the test's temp folders removed) after them. Read the fields inside tests.
 */
export function useBrokerWithProducer(): { broker: KafkaBrokerHandle; producer: Producer } {
  const context = {} as { broker: KafkaBrokerHandle; producer: Producer };
  beforeAll(async () => {
    context.broker = await sharedBroker();
    context.producer = await connectProducer(context.broker.brokers);
  });
  afterAll(async () => {
    await context.producer?.disconnect();
    await context.broker?.stop();
    await removeTempDirs();
  });
  return context;
}

export async function produceEvents(producer: Producer, topics: Topics, events: readonly TestEvent[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const event of events) {
    const topic = topics[event.type];
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ key: event.id, value: JSON.stringify(event) });
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
}

export interface DaemonProcess {
  process: ResultPromise;
  /** stderr so far. */
  stderr(): string;
  /** Resolves when a JSON log line's message matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** The environment of the daemon: the parent's minus ANALYTICS_*, JSON logs, no colour. */
function daemonEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('ANALYTICS_') || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  return { ...env, ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1', ANALYTICS_DUCKDB_THREADS: '2' };
}

/** Starts `analytics ingest kafka` for a workspace as a child process. */
export function startDaemon(workspace: KafkaWorkspace, brokers: string, args: readonly string[] = ['--from-beginning'], env: Record<string, string> = {}): DaemonProcess {
  const child = execa('node', [CLI, 'ingest', 'kafka', '--brokers', brokers, '-w', workspace.dir, '--format', 'json', ...args], {
    reject: false,
    extendEnv: false,
    env: { ...daemonEnv(), ...env },
    stdin: 'ignore',
    buffer: true,
    // execa would SIGKILL 5 s after a SIGTERM; a loaded machine can need longer to flush, and the
    // tests that bound the shutdown time measure it themselves.
    forceKillAfterDelay: 60_000,
  });
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (record: Record<string, unknown>) => void }[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    const before = stderr.length;
    stderr += chunk.toString();
    const fresh = stderr.slice(stderr.lastIndexOf('\n', before) + 1).split('\n').slice(0, -1);
    for (const line of fresh) {
      if (!line.startsWith('{')) continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(String(record.message))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record);
        }
      }
    }
  });
  return {
    process: child,
    stderr: () => stderr,
    waitForLog: (pattern, timeoutMs = 60_000) => new Promise((resolve, reject) => {
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          if (pattern.test(String(record.message))) return resolve(record);
        } catch {
          // partial line
        }
      }
      const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr.slice(-3000)}`)), timeoutMs);
      waiters.push({ pattern, resolve: (record) => { clearTimeout(timer); resolve(record); } });
      void child.finally(() => {
        setTimeout(() => {
          clearTimeout(timer);
          reject(new Error(`daemon exited (${child.exitCode ?? 'signal'}) before a log line matching ${pattern}; stderr:\n${stderr.slice(-3000)}`));
        }, 50);
      });
    }),
  };
}

const EVENT_TABLES = Object.values(TABLE_OF);

/** Every event id in the lake's four tables (with repeats, if any). */
export async function lakeIds(dir: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(dir, EVENT_TABLES.map((table) => `SELECT id FROM ${table}`).join(' UNION ALL '));
  return rows.map((row) => row.id);
}

export async function deadLetters(dir: string): Promise<{ origin: string; stage: string; reasons: string[]; raw: string }[]> {
  return queryRows(dir, 'SELECT origin, stage, reasons, raw FROM dead_letters ORDER BY origin');
}

/** Polls until `check` returns true (or throws its last failure after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 60_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Duplicated values in a list. */
export function repeated(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const value of values) (seen.has(value) ? twice : seen).add(value);
  return [...twice];
}

/**
 * Starts a daemon on the workspace, waits until it commits a lake version newer than the one the
 * lake had, waits `delayMs` more (mid-batch, mid-commit or idle) and kills it with SIGKILL.
 */
export async function killDaemonAfterNextCommit(workspace: KafkaWorkspace, brokers: string, delayMs: number, pollMs = 50): Promise<void> {
  const layout = new LakeLayout(path.join(workspace.dir, 'lake'));
  const before = (await listSnapshotVersions(layout)).at(-1) ?? 0;
  const daemon = startDaemon(workspace, brokers);
  await eventually(async () => (await listSnapshotVersions(layout)).at(-1) ?? 0, (version) => version > before, 120_000, pollMs).catch((error: unknown) => {
    throw new Error(`${String(error)}\ndaemon stderr:\n${daemon.stderr().slice(-5000)}`);
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  daemon.process.kill('SIGKILL');
  await daemon.process;
}
