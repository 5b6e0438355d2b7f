import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBroker, testKafkaPort, type KafkaBrokerHandle } from '../support/kafka-broker.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

const MESSAGE_COUNT = 1_000;
const PARTITIONS = 3;

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** What message `seq` carries, so content can be checked from either reader. */
function messageFor(seq: number): { key: string; value: string } {
  return { key: `order-${seq}`, value: JSON.stringify({ seq, amount_cents: seq * 7 }) };
}

describe('development Kafka broker (scripts/kafka/broker.sh)', () => {
  let broker: KafkaBrokerHandle;
  let kafka: InstanceType<typeof Kafka>;
  const topic = `broker-roundtrip-${randomUUID()}`;

  // Given a topic with three partitions that kafkajs filled with 1,000 keyed messages
  beforeAll(async () => {
    // A broker of its own (started and stopped here), not the run's shared one.
    broker = await ensureBroker({ port: testKafkaPort(19190) });
    kafka = new Kafka({ clientId: 'analytics-broker-test', brokers: [broker.brokers], logLevel: logLevel.WARN });

    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      if (!created) throw new Error(`topic ${topic} already existed`);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]?.partitions).toHaveLength(PARTITIONS);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      // The murmur2 partitioner of the Java client, which kafkajs 2 also uses by default; naming it
      // silences kafkajs's warning about that default.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      for (let start = 0; start < MESSAGE_COUNT; start += 250) {
        const batch = Array.from({ length: 250 }, (_, i) => messageFor(start + i));
        await producer.send({ topic, acks: -1, messages: batch });
      }
    } finally {
      await producer.disconnect();
    }
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('delivers every message to a kafkajs consumer group, once, unchanged and in partition order', async () => {
    // When a consumer group reads the topic from the beginning
    const received: Received[] = [];
    const consumer = kafka.consumer({ groupId: `broker-test-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`consumed ${received.length} of ${MESSAGE_COUNT} messages within 30s`)),
          30_000,
        );
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              received.push({
                partition,
                offset: message.offset,
                key: message.key?.toString() ?? '',
                value: message.value?.toString() ?? '',
              });
              if (received.length >= MESSAGE_COUNT) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    } finally {
      await consumer.disconnect();
    }

    // Then every message arrives once, unchanged, spread over all partitions, in order within each
    expect(received).toHaveLength(MESSAGE_COUNT);
    const seqOf = (m: Received): number => (JSON.parse(m.value) as { seq: number }).seq;
    const seqs = received.map(seqOf);
    expect(new Set(seqs).size).toBe(MESSAGE_COUNT);
    expect(Math.min(...seqs)).toBe(0);
    expect(Math.max(...seqs)).toBe(MESSAGE_COUNT - 1);
    for (const m of received) expect({ key: m.key, value: m.value }).toEqual(messageFor(seqOf(m)));
    const partitions = new Set(received.map((m) => m.partition));
    expect(partitions.size).toBe(PARTITIONS);
    for (const partition of partitions) {
      const inPartition = received.filter((m) => m.partition === partition);
      const offsets = inPartition.map((m) => Number(m.offset));
      expect(offsets).toEqual(offsets.map((_, i) => i));
      const order = inPartition.map(seqOf);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('serves the same messages to kcat, a librdkafka peer', async () => {
    // kcat comes from Debian (`apt-get install -y kcat`); fail with the fix rather than skip.
    const version = await execa('kcat', ['-V'], { reject: false });
    if (version.failed) throw new Error('kcat is not installed; run: apt-get install -y kcat');

    // When kcat reads the topic to the end, one "partition<TAB>key<TAB>value" line per message
    const read = await execa('kcat', ['-C', '-b', broker.brokers, '-t', topic, '-e', '-q', '-f', '%p\t%k\t%s\n'], {
      timeout: 30_000,
    });

    // Then it sees exactly what kafkajs produced
    const lines = read.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(MESSAGE_COUNT);
    const seqs = new Set<number>();
    for (const line of lines) {
      const [partition, key, value] = line.split('\t') as [string, string, string];
      const seq = (JSON.parse(value) as { seq: number }).seq;
      expect({ key, value }).toEqual(messageFor(seq));
      expect(Number(partition)).toBeLessThan(PARTITIONS);
      seqs.add(seq);
    }
    expect(seqs.size).toBe(MESSAGE_COUNT);
  });
});
