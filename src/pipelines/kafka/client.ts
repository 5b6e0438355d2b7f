/**
 * The one door to Kafka (`kafkajs`): clients built from the workspace's `kafka:` settings, its
 * log lines routed into our logger, and its errors sorted into "wait and retry" and "the user
 * must fix something". Nothing else imports kafkajs.
 */
import kafkajs from 'kafkajs';
import type { Admin, Consumer, ICustomPartitioner, KafkaConfig as KafkaJsConfig, logCreator, Producer, SASLOptions } from 'kafkajs';
import type { Logger } from '../../cli/logger.js';
import type { KafkaConfig } from '../../config/workspace-schema.js';
import { messageOf, UserError } from '../../errors.js';

const { Kafka, logLevel: LogLevel, Partitioners } = kafkajs;

export type { Admin, Consumer, Producer };
export type KafkaClient = InstanceType<typeof Kafka>;

/** What a client needs to know about the cluster. */
export type ConnectionSettings = Pick<KafkaConfig, 'brokers' | 'client_id' | 'ssl' | 'sasl'>;

export interface ClientOptions {
  logger: Logger;
  debug?: boolean;
  /** Retries of one request before kafkajs gives up on it (callers loop around that). */
  retries?: number;
  connectionTimeoutMs?: number;
  /** kafkajs's own log lines at debug level only (for probes whose caller logs the outcome). */
  quiet?: boolean;
}

/** A kafkajs client for the cluster in `settings`. */
export function createKafkaClient(settings: ConnectionSettings, options: ClientOptions): KafkaClient {
  const config: KafkaJsConfig = {
    clientId: settings.client_id,
    brokers: settings.brokers,
    ssl: settings.ssl,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    // Broker restarts are routine: back off up to 5 s per attempt; callers retry without end.
    retry: { retries: options.retries ?? 8, initialRetryTime: 300, maxRetryTime: 5_000 },
    logLevel: options.debug ? LogLevel.INFO : LogLevel.WARN,
    logCreator: kafkaLogCreator(options.logger, options.debug ?? false, options.quiet ?? false),
  };
  if (settings.sasl) config.sasl = saslOptions(settings.sasl);
  return new Kafka(config);
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
}

/**
 * A producer whose sends wait for every in-sync replica, idempotent: the broker drops a batch the
 * producer sent again after a timeout (kafkajs retries a request whose answer it did not get), so
 * a retry stores no second copy. That holds only when a retry resends the same batches: kafkajs
 * partitions a send again on every retry, and a message without a key or partition goes to the
 * next partition of a round robin, so a retry after a partly failed request (one partition not
 * ready yet on a topic just created) put other messages under the sequence numbers the broker
 * had already stored, and the broker refused them as out of order. So every message sent here
 * has a key or a partition (`pinPartitions`), and the producer refuses one that has neither
 * (`pinnedPartitioner`) before anything is sent. It needs sends one at a time, which is how every producer here
 * sends (the stream output, the dead-letter topic, `generate --to kafka://`); its retries are
 * bounded (`retries`, default 5) so that a broker that is down fails the send and the caller
 * backs off and reports it (kafkajs warns that this limits the guarantee to those retries).
 */
export function createProducer(client: KafkaClient, options: { retries?: number } = {}): Producer {
  return client.producer({
    allowAutoTopicCreation: false,
    createPartitioner: pinnedPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/**
 * Routes kafkajs's log lines to our logger as warnings, at most once per 5 s per distinct line
 * (a broker that is down makes kafkajs log the same connection error many times a second).
 */
function kafkaLogCreator(logger: Logger, debug: boolean, quiet: boolean): logCreator {
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = log as { message: string; timestamp?: string; logger?: string } & Record<string, unknown>;
    if (level >= LogLevel.INFO || quiet) {
      if (debug) logger.debug(`kafkajs: ${message}`, { namespace, ...pickFields(fields) });
      return;
    }
    const key = `${namespace}|${message}`;
    const now = Date.now();
    const seen = lastLogged.get(key);
    if (seen && now - seen.at < 5_000) {
      seen.suppressed++;
      return;
    }
    lastLogged.set(key, { at: now, suppressed: 0 });
    logger.warn(`kafka: ${message}`, { namespace, ...pickFields(fields), ...(seen?.suppressed ? { repeated: seen.suppressed } : {}) });
  };
}

function pickFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['error', 'broker', 'topic', 'partition', 'retryCount', 'retryTime', 'groupId']) {
    if (fields[key] !== undefined) out[key] = typeof fields[key] === 'object' ? messageOf(fields[key]) : fields[key];
  }
  return out;
}

/** The error, its causes and (for kafkajs's aggregate errors) its parts, outermost first. */
function errorChain(error: unknown): { name: string; type: string; message: string }[] {
  const chain: { name: string; type: string; message: string }[] = [];
  const visit = (current: unknown, depth: number) => {
    if (!current || depth > 6) return;
    const e = current as { name?: string; type?: string; message?: string; cause?: unknown; originalError?: unknown; errors?: unknown[] };
    chain.push({ name: e.name ?? '', type: e.type ?? '', message: e.message ?? String(current) });
    for (const part of Array.isArray(e.errors) ? e.errors : []) visit(part, depth + 1);
    visit(e.cause ?? e.originalError, depth + 1);
  };
  visit(error, 0);
  return chain;
}

/** Kafka error codes (`MESSAGE_TOO_LARGE`, `INVALID_TOPIC_EXCEPTION`…) anywhere in an error. */
export function kafkaErrorTypes(error: unknown): string[] {
  return [...new Set(errorChain(error).map((link) => link.type).filter(Boolean))];
}

/**
 * Errors no amount of waiting fixes: refused credentials, missing authorisation. Everything
 * else (refused connections, timeouts, leader elections) is worth retrying.
 */
export function authFailure(error: unknown, brokers: readonly string[]): UserError | undefined {
  for (const link of errorChain(error)) {
    if (link.name === 'KafkaJSSASLAuthenticationError' || /SASL_AUTHENTICATION_FAILED|UNSUPPORTED_SASL_MECHANISM|ILLEGAL_SASL_STATE/.test(link.type)) {
      return new UserError('KAFKA_AUTH', `Kafka at ${brokers.join(',')} refused the SASL login: ${firstLine(link.message)}.`, {
        hint: 'Check kafka.sasl (mechanism, username, password) in analytics.yaml and the variables it reads.',
      });
    }
    if (/(TOPIC|GROUP|CLUSTER)_AUTHORIZATION_FAILED/.test(link.type)) {
      return new UserError('KAFKA_AUTH', `Kafka at ${brokers.join(',')} refused access: ${firstLine(link.message)} (${link.type}).`, {
        hint: 'Grant this user read access to the topics and the consumer group (and create/describe rights to create topics).',
      });
    }
  }
  return undefined;
}

/** One short line describing a Kafka error, for logs. */
export function describeKafkaError(error: unknown): string {
  const chain = errorChain(error);
  const root = chain.at(-1);
  const top = chain[0];
  if (!top) return 'unknown error';
  return root && firstLine(root.message) !== firstLine(top.message) ? `${firstLine(top.message)} (${firstLine(root.message)})` : firstLine(top.message);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/**
 * Gives keyless messages fixed partitions, in turn from `next` (a counter per topic, kept by the
 * caller across sends) over the topic's `partitions`: the spread of kafkajs's round robin, but
 * decided once, so that a retried send resends the same batches (see createProducer).
 */
export function pinPartitions<M extends { key?: string | Buffer | null; partition?: number }>(messages: M[], partitions: number, next: { value: number }): M[] {
  if (partitions < 1) return messages;
  for (const message of messages) {
    if (message.key === undefined || message.key === null) message.partition ??= next.value++ % partitions;
  }
  return messages;
}

/**
 * kafkajs's default partitioner (murmur2 of the key, as the Java client) for messages that have a
 * key or a partition; a message with neither is a bug here (see createProducer), refused before
 * the send so that no retry can move it.
 */
export const pinnedPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  return (args) => {
    const { key, partition: fixed } = args.message;
    if ((key === undefined || key === null) && (fixed === undefined || fixed === null)) {
      throw new Error(`a message to ${args.topic} has neither a key nor a partition: a retried idempotent send could move it (pinPartitions)`);
    }
    return partition(args);
  };
};

/** Partitions of each topic, from the broker's metadata. */
export async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
  return new Map(described.map((topic) => [topic.name, topic.partitions.length]));
}
