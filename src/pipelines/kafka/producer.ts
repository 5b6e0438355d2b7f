/**
 * Generated records to Kafka, for `analytics generate --to kafka://HOST:PORT`: each record goes
 * to its type's topic (records without a valid type, such as non-JSON lines, to the transaction
 * topic, where the daemon dead-letters them), optionally paced at a wall-clock rate.
 */
import type { Logger } from '../../cli/logger.js';
import { DEFAULT_KAFKA_TOPICS, type KafkaConfig } from '../../config/workspace-schema.js';
import { UserError } from '../../errors.js';
import type { GeneratedRecord } from '../generate/index.js';
import { authFailure, createKafkaClient, createProducer, describeKafkaError, kafkaErrorTypes, partitionCounts, pinPartitions } from './client.js';

export interface ProduceOptions {
  brokers: string[];
  /** Topic per event type (default: the built-in topics). */
  topics?: Record<string, string>;
  /** Events per second of wall-clock time; unlimited when absent. */
  rateLimit?: number;
  connection?: Partial<Pick<KafkaConfig, 'client_id' | 'ssl' | 'sasl'>>;
  logger: Logger;
  signal?: AbortSignal;
}

export interface ProduceSummary {
  records: number;
  byTopic: Record<string, number>;
  seconds: number;
  eventsPerSecond: number;
}

/** Parses `kafka://HOST:PORT[,HOST:PORT…]` into broker addresses; undefined for other schemes. */
export function kafkaTarget(to: string): string[] | undefined {
  const match = /^kafka:\/\/(.+)$/.exec(to.trim());
  if (!match) return undefined;
  const brokers = match[1]!.replace(/\/+$/, '').split(',').map((broker) => broker.trim());
  if (brokers.length === 0 || brokers.some((broker) => !/^[^\s:/]+:\d+$/.test(broker))) return undefined;
  return brokers;
}

const MAX_CHUNK = 5_000;

/** Sends every record; resolves when the last is acknowledged by all in-sync replicas. */
export async function produceRecords(records: Iterable<GeneratedRecord>, options: ProduceOptions): Promise<ProduceSummary> {
  const topics = { ...DEFAULT_KAFKA_TOPICS, ...options.topics };
  const fallback = topics.transaction ?? 'transactions';
  const client = createKafkaClient(
    { brokers: options.brokers, client_id: options.connection?.client_id ?? 'analytics-generate', ssl: options.connection?.ssl ?? false, ...(options.connection?.sasl ? { sasl: options.connection.sasl } : {}) },
    { logger: options.logger, retries: 3, quiet: true },
  );
  const admin = client.admin();
  const producer = createProducer(client);
  try {
    await admin.connect();
    await producer.connect();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw authFailure(error, options.brokers) ?? new UserError('KAFKA_UNREACHABLE', `Cannot reach Kafka at ${options.brokers.join(',')}: ${describeKafkaError(error)}.`, {
      hint: 'Start a broker (npm run kafka:start starts one on 127.0.0.1:9092) or fix the address in --to.',
    });
  }
  const started = performance.now();
  const byTopic: Record<string, number> = {};
  let sent = 0;
  try {
    const topicNames = [...new Set(Object.values(topics))];
    await ensureTopics(admin, topicNames, options.logger);
    // Partitions fixed before the send, so that a retried send resends the same batches (pinPartitions).
    const partitions = await partitionCounts(admin, topicNames);
    const turns = new Map<string, { value: number }>();
    const turnOf = (topic: string) => turns.get(topic) ?? turns.set(topic, { value: 0 }).get(topic)!;
    // Small chunks at low rates, so pacing is smooth (about 20 sends a second).
    const chunkSize = options.rateLimit ? Math.max(1, Math.min(MAX_CHUNK, Math.floor(options.rateLimit / 20))) : MAX_CHUNK;
    let chunk = new Map<string, { value: string; partition?: number }[]>();
    let chunkCount = 0;
    const flush = async () => {
      if (chunkCount === 0) return;
      if (options.rateLimit) {
        const due = started + ((sent + chunkCount) / options.rateLimit) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...chunk].map(([topic, messages]) => ({ topic, messages: pinPartitions(messages, partitions.get(topic) ?? 0, turnOf(topic)) })) });
      for (const [topic, messages] of chunk) byTopic[topic] = (byTopic[topic] ?? 0) + messages.length;
      sent += chunkCount;
      chunk = new Map();
      chunkCount = 0;
    };
    for (const record of records) {
      if (options.signal?.aborted) break;
      const topic = (record.type ? topics[record.type] : undefined) ?? fallback;
      let list = chunk.get(topic);
      if (!list) chunk.set(topic, (list = []));
      list.push({ value: record.line });
      if (++chunkCount >= chunkSize) await flush();
    }
    await flush();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw authFailure(error, options.brokers) ?? new UserError('KAFKA_UNREACHABLE', `Producing to Kafka at ${options.brokers.join(',')} failed after ${sent} records: ${describeKafkaError(error)}.`, {
      hint: 'Those records were sent; check the broker and run again (re-sent ids are dropped as duplicates by ingest).',
    });
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  return { records: sent, byTopic, seconds, eventsPerSecond: seconds > 0 ? Math.round(sent / seconds) : 0 };
}

async function ensureTopics(admin: ReturnType<ReturnType<typeof createKafkaClient>['admin']>, topics: string[], logger: Logger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    logger.info(`created topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  } catch (error) {
    const types = kafkaErrorTypes(error);
    if (types.length > 0 && types.every((type) => type === 'TOPIC_ALREADY_EXISTS')) return;
    throw new UserError('KAFKA_TOPIC', `Kafka topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')} cannot be created (${types.join(', ') || describeKafkaError(error)}).`, {
      hint: 'Create the topics first, or name existing ones in kafka.topics (analytics.yaml).',
    });
  }
}
