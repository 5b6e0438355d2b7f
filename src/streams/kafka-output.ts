/**
 * Produces the outbox (outbox.ts) to the jobs' Kafka topics: the committed files oldest first,
 * each removed once the broker acknowledged all of its messages (acks from every in-sync
 * replica). The producer is idempotent, so a send kafkajs retried after a timeout is stored
 * once. At least once across processes: a crash between the acknowledgement and the removal
 * produces that file again, with the same keys and the same bytes. When the broker is down, ingest goes on:
 * the files wait in the outbox and the producer retries with backoff (up to 30 s), logging the
 * backlog; nothing is dropped.
 */
import type { Logger } from '../cli/logger.js';
import { LakeLayout } from '../lake/layout.js';
import { readLatestSnapshot } from '../lake/snapshot.js';
import { createKafkaClient, createProducer, describeKafkaError, kafkaErrorTypes, authFailure, type ConnectionSettings, type KafkaClient, type Producer } from '../pipelines/kafka/client.js';
import { pendingOutbox, removeOutboxFile } from './outbox.js';
import { streamsSourceOf } from './streams-source.js';

export interface KafkaOutputStats {
  /** Messages acknowledged by the broker (this process). */
  produced: number;
  /** Outbox files committed and not yet delivered, at the last look. */
  pendingFiles: number;
  pendingMessages: number;
  /** The last delivery failure, null once a delivery succeeds. */
  lastError: string | null;
}

export interface DrainResult {
  files: number;
  messages: number;
}

const CHUNK = 5_000;

export class KafkaOutput {
  readonly stats: KafkaOutputStats = { produced: 0, pendingFiles: 0, pendingMessages: 0, lastError: null };
  private client: KafkaClient | undefined;
  private producer: Producer | undefined;
  private connected = false;
  private readonly knownTopics = new Set<string>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private running: Promise<DrainResult> | undefined;

  constructor(private readonly lakeRoot: string, private readonly settings: ConnectionSettings, private readonly logger: Logger) {}

  /** Delivers every committed file now; rejects on the first Kafka error (what was delivered stays delivered). */
  drain(): Promise<DrainResult> {
    // One pass at a time in a process: two would produce the same file twice.
    this.running ??= this.drainOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async drainOnce(): Promise<DrainResult> {
    const snapshot = await readLatestSnapshot(new LakeLayout(this.lakeRoot));
    const files = await pendingOutbox(this.lakeRoot, streamsSourceOf(snapshot)?.outbox);
    this.stats.pendingFiles = files.length;
    this.stats.pendingMessages = files.reduce((sum, file) => sum + file.messages.length, 0);
    const result: DrainResult = { files: 0, messages: 0 };
    if (files.length === 0) return result;
    const producer = await this.connect();
    for (const file of files) {
      await this.ensureTopics([...new Set(file.messages.map((message) => message.topic))]);
      for (let start = 0; start < file.messages.length; start += CHUNK) {
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (const message of file.messages.slice(start, start + CHUNK)) {
          let list = byTopic.get(message.topic);
          if (!list) byTopic.set(message.topic, (list = []));
          list.push({ key: message.key, value: message.value });
        }
        await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      }
      await removeOutboxFile(this.lakeRoot, file.file);
      result.files++;
      result.messages += file.messages.length;
      this.stats.produced += file.messages.length;
      this.stats.pendingFiles--;
      this.stats.pendingMessages -= file.messages.length;
    }
    this.stats.lastError = null;
    return result;
  }

  /** Drains in the background: after every `notify()` and every 5 s; after a failure, with backoff. */
  start(): void {
    if (this.loop) return;
    this.loop = (async () => {
      let failures = 0;
      let lastLog = 0;
      while (!this.closed) {
        let wait = 5_000;
        try {
          const { messages } = await this.drain();
          if (failures > 0) this.logger.info(`stream results delivered to Kafka again (${messages} produced after ${failures} failed attempts)`, { messages, attempts: failures });
          failures = 0;
        } catch (error) {
          failures++;
          this.stats.lastError = describeKafkaError(error);
          await this.disconnect();
          wait = Math.min(30_000, 500 * 2 ** Math.min(failures - 1, 6));
          if (Date.now() - lastLog >= 10_000) {
            lastLog = Date.now();
            this.logger.warn(`stream results not produced to Kafka: ${this.stats.lastError}; ${this.stats.pendingMessages} results in ${this.stats.pendingFiles} outbox files wait (ingest goes on); retrying in ${Math.round(wait / 1000)} s`, { pending_files: this.stats.pendingFiles, pending_messages: this.stats.pendingMessages, attempt: failures });
          }
        }
        if (this.closed) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait);
          this.wake = done;
          function done() {
            clearTimeout(timer);
            resolve();
          }
        });
        this.wake = undefined;
      }
    })();
  }

  /** A batch with results was committed: drain soon. */
  notify(): void {
    this.wake?.();
  }

  /**
   * Stops the loop after one last attempt, all within `graceMs` (a broker that is down must not
   * hold up a shutdown); what is left waits in the outbox for the next run.
   */
  async close(graceMs = 3_000): Promise<void> {
    this.closed = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    // The pass in progress (if any), then one more for what the last batch committed.
    const last = this.loop?.then(() => (graceMs > 0 ? this.drain() : undefined)).catch(() => undefined);
    await Promise.race([last, deadline]);
    clearTimeout(timer);
    await this.disconnect();
  }

  private async connect(): Promise<Producer> {
    if (this.producer && this.connected) return this.producer;
    this.client = createKafkaClient(this.settings, { logger: this.logger, retries: 2, quiet: true });
    this.producer = createProducer(this.client);
    try {
      await this.producer.connect();
    } catch (error) {
      throw authFailure(error, this.settings.brokers) ?? error;
    }
    this.connected = true;
    return this.producer;
  }

  private async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connected = false;
    if (producer) await Promise.race([producer.disconnect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  /** Creates missing output topics with the broker's defaults (the producer does not auto-create). */
  private async ensureTopics(topics: string[]): Promise<void> {
    const missing = topics.filter((topic) => !this.knownTopics.has(topic));
    if (missing.length === 0) return;
    const admin = this.client!.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const create = missing.filter((topic) => !existing.has(topic));
      if (create.length > 0) {
        try {
          await admin.createTopics({ topics: create.map((topic) => ({ topic })), waitForLeaders: true });
          this.logger.info(`created stream output topic${create.length === 1 ? '' : 's'} ${create.join(', ')}`, { topics: create });
        } catch (error) {
          const types = kafkaErrorTypes(error);
          if (!(types.length > 0 && types.every((type) => type === 'TOPIC_ALREADY_EXISTS'))) throw error;
        }
      }
      for (const topic of missing) this.knownTopics.add(topic);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
