/**
 * The broker goes away mid-stream and comes back (scripts/kafka/broker.sh stop, then start on
 * the same data): the daemon keeps running, says so in its log, and catches up without losing
 * or duplicating anything. Its own broker, since it is stopped.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRecords, removeTempDirs } from '../support/cli.js';
import { mixedEvents } from '../support/events.js';
import { ensureBroker, testKafkaPort, type KafkaBrokerHandle } from '../support/kafka-broker.js';
import { connectProducer, createTopics, eventually, lakeIds, makeKafkaWorkspace, produceEvents, repeated, startDaemon, type Producer } from '../support/kafka-ingest.js';

const PORT = testKafkaPort(19196);
const BROKER_SCRIPT = fileURLToPath(new URL('../../scripts/kafka/broker.sh', import.meta.url));
const brokerEnv = { KAFKA_PORT: String(PORT), KAFKA_CONTROLLER_PORT: String(PORT + 1) };

describe('Kafka ingest: broker outage', () => {
  let broker: KafkaBrokerHandle;
  let producer: Producer | undefined;

  beforeAll(async () => {
    broker = await ensureBroker({ port: PORT });
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await broker?.stop();
    await removeTempDirs();
  });

  it('keeps running while the broker is stopped, then catches up: 0 lost, 0 duplicated', async () => {
    // Given a daemon that has stored a first 300 events
    const workspace = await makeKafkaWorkspace();
    await createTopics(broker.brokers, Object.values(workspace.topics));
    producer = await connectProducer(broker.brokers);
    const daemon = startDaemon(workspace, broker.brokers);
    await daemon.waitForLog(/^assigned 12 partitions/);
    const first = mixedEvents('before', 300);
    await produceEvents(producer, workspace.topics, first);
    await eventually(() => lakeIds(workspace.dir), (ids) => ids.length >= 300);

    // When 300 more arrive and the broker stops at once, stays down, and comes back
    const during = mixedEvents('during', 300);
    await produceEvents(producer, workspace.topics, during);
    const status = await execa('bash', [BROKER_SCRIPT, 'status'], { env: brokerEnv });
    const dataDir = /data (\S+)\)/.exec(status.stdout)?.[1];
    expect(dataDir, status.stdout).toBeDefined();
    await execa('bash', [BROKER_SCRIPT, 'stop'], { env: brokerEnv });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(daemon.process.exitCode).toBeNull();
    await execa('bash', [BROKER_SCRIPT, 'start'], { env: { ...brokerEnv, KAFKA_DATA_DIR: dataDir! }, timeout: 120_000 });
    const after = mixedEvents('after', 300);
    await produceEvents(producer, workspace.topics, after);

    // Then everything reaches the lake once, and the log said what was happening
    const ids = await eventually(() => lakeIds(workspace.dir), (found) => found.length >= 900, 90_000, 1_000);
    expect(daemon.process.exitCode).toBeNull();
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode, daemon.stderr()).toBe(0);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set([...first, ...during, ...after].map((event) => event.id)));
    const warnings = logRecords(daemon.stderr()).filter((record) => record.level === 'warn');
    expect(warnings.some((record) => /ECONNREFUSED|Connection/.test(String(record.message))), JSON.stringify(warnings.slice(0, 5))).toBe(true);
  });

  it('starts while the broker is down, keeps retrying, and ingests once it is up: 0 lost, 0 duplicated', async () => {
    // Given a stopped broker (its data kept) and a daemon started against it
    const status = await execa('bash', [BROKER_SCRIPT, 'status'], { env: brokerEnv });
    const dataDir = /data (\S+)\)/.exec(status.stdout)?.[1];
    expect(dataDir, status.stdout).toBeDefined();
    await execa('bash', [BROKER_SCRIPT, 'stop'], { env: brokerEnv });
    const workspace = await makeKafkaWorkspace();
    const daemon = startDaemon(workspace, broker.brokers);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(daemon.process.exitCode).toBeNull();

    // When the broker comes up and events arrive
    await execa('bash', [BROKER_SCRIPT, 'start'], { env: { ...brokerEnv, KAFKA_DATA_DIR: dataDir! }, timeout: 120_000 });
    await createTopics(broker.brokers, Object.values(workspace.topics));
    const late = await connectProducer(broker.brokers);
    const events = mixedEvents('late', 300);
    try {
      await produceEvents(late, workspace.topics, events);
    } finally {
      await late.disconnect();
    }

    // Then the daemon, which never exited, stores each of them once, and said it was retrying
    const ids = await eventually(() => lakeIds(workspace.dir), (found) => found.length >= 300, 90_000, 1_000);
    expect(daemon.process.exitCode).toBeNull();
    daemon.process.kill('SIGTERM');
    expect((await daemon.process).exitCode, daemon.stderr()).toBe(0);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.id)));
    const warnings = logRecords(daemon.stderr()).filter((record) => record.level === 'warn');
    expect(warnings.some((record) => /reach|ECONNREFUSED|Connection|retry/i.test(String(record.message))), JSON.stringify(warnings.slice(0, 5))).toBe(true);
  });
});
