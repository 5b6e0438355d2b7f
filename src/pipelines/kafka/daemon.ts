/**
 * The Kafka ingest daemon behind `analytics ingest kafka`: a consumer in a group that buffers
 * messages across its partitions and writes them to the lake in batches bounded by size and
 * time, exactly once. A library: it logs through the logger it is given, never prints and never
 * exits; the command turns signals into `stop` and the returned summary into output.
 *
 * Exactly once (docs/architecture-kafka.md):
 * - a batch and the offsets it covers are committed in one lake snapshot (lake-batch.ts);
 * - on every partition assignment, the daemon drops what it buffered and seeks each assigned
 *   partition to the lake's offset, so a restart or rebalance resumes exactly after the last
 *   committed message, whatever Kafka's own committed offsets say;
 * - the commit refuses a batch that overlaps offsets another daemon already committed.
 * Kafka's committed offsets are written after each lake commit only so that lag tools work.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from '../../cli/logger.js';
import type { KafkaConfig } from '../../config/workspace-schema.js';
import { Engine } from '../../duckdb/engine.js';
import { isUserError, messageOf, UserError } from '../../errors.js';
import { LakeLayout } from '../../lake/layout.js';
import type { Workspace } from '../../workspace/workspace.js';
import { loadReferenceTables } from '../ingest/reference-tables.js';
import { authFailure, createKafkaClient, createProducer, describeKafkaError, kafkaErrorTypes, type Admin, type KafkaClient, type Producer } from './client.js';
import { messageOrigin, prepareLakeBatch, writeLakeBatch, type DeadLetterNote, type TableHint, type KafkaMessage, type LakeBatchContext, type LakeBatchHooks, type LakeBatchResult, type PendingLakeBatch } from './lake-batch.js';
import { IngestMetrics, type MetricsReport } from './metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { startDaemonStreams, type DaemonStreams } from '../../streams/daemon-streams.js';
import { anchorOffsets, partitionKey, readLakeOffsets, splitPartitionKey, type PartitionKey } from './offsets.js';

export interface KafkaIngestOptions {
  /** Overrides kafka.brokers. */
  brokers?: string[];
  /** Overrides kafka.group. */
  group?: string;
  /** Topics to consume instead of every topic in kafka.topics. */
  topics?: string[];
  /** For partitions the lake has no offset for: start at the beginning (else at the end). */
  fromBeginning?: boolean;
  /** Overrides kafka.metrics_port (0: no endpoint). */
  metricsPort?: number;
  logger: Logger;
  debug?: boolean;
  /** Aborting it stops the daemon: stop fetching, flush, commit, disconnect. */
  signal: AbortSignal;
  /** Called once the endpoint listens (tests and the command log it). */
  onMetricsListening?: (port: number) => void;
  /** Overrides feed.port for the live feed of stream results. */
  feedPort?: number;
  /** Called once the live feed listens. */
  onFeedListening?: (url: string) => void;
}

export interface KafkaIngestSummary {
  group: string;
  topics: string[];
  seconds: number;
  totals: MetricsReport['totals'];
}

/** Runs until `options.signal` aborts; rejects with a UserError for problems waiting cannot fix. */
export async function runKafkaIngest(workspace: Workspace, options: KafkaIngestOptions): Promise<KafkaIngestSummary> {
  const daemon = new KafkaIngestDaemon(workspace, options);
  return daemon.run();
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const timer = setTimeout(done, ms);
  function done() {
    clearTimeout(timer);
    signal?.removeEventListener('abort', done);
    resolve();
  }
  signal?.addEventListener('abort', done, { once: true });
});

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lake errors worth waiting out (another writer holds the lock). Anything else stops the daemon. */
/** Largest value copied to the dead-letter topic (Kafka's default max.message.bytes is about 1 MB). */
const DEAD_LETTER_VALUE_LIMIT = 1_000_000;

/** Batches written at once: one validating while the one before it commits. */
const LANES = 2;

/** Quiet time after which a batch of a tenth of `max_events` or more is written (flushIfDue). */
const PAUSE_FLUSH_MS = 200;

function transientLakeError(error: unknown): boolean {
  return isUserError(error) && error.code === 'LAKE_BUSY';
}

class KafkaIngestDaemon {
  private readonly settings: KafkaConfig;
  private readonly group: string;
  private readonly topics: string[];
  private readonly logger: Logger;
  private readonly metrics: IngestMetrics;
  private readonly stopSignal: AbortSignal;
  private client!: KafkaClient;
  private admin: Admin | undefined;
  private deadLetterProducer: Producer | undefined;
  private engine: Engine | undefined;
  /**
   * Connections a batch is prepared on (the engine and one session of it): the next batch is
   * validated on one while the one before commits on the other. Taken in flush order, given back
   * after the commit, so batches still commit one at a time, in order.
   */
  private freeLanes: Engine[] = [];
  private laneWaiters: ((lane: Engine) => void)[] = [];
  /** The second lane's connection (closed before the engine). */
  private session: Engine | undefined;
  /** Batches flushed and not yet committed. */
  private inFlight = new Set<Promise<void>>();
  /** Per topic, the table its clean batches go to (LakeBatchContext.tableHints). */
  private readonly tableHints = new Map<string, TableHint>();
  private consumer: Consumer | undefined;
  /** Stream jobs, the live feed and their metrics (src/streams/). */
  private streams: DaemonStreams | undefined;

  /** Buffered messages per partition, in offset order. */
  private buffer = new Map<PartitionKey, KafkaMessage[]>();
  private bufferCount = 0;
  private bufferBytes = 0;
  private oldestBufferedAt = 0;
  /** Date.now() when messages were last added to the buffer. */
  private lastReceivedAt = 0;
  /** Next offset expected per assigned partition; lower offsets are already buffered or committed. */
  private positions = new Map<PartitionKey, number>();
  private assignment = new Set<PartitionKey>();
  /** Bumped on every group join; work for an older assignment is abandoned. */
  private generation = 0;
  private ready = false;
  private flushChain: Promise<void> = Promise.resolve();
  private fatal: unknown;
  private stopping = false;
  /** Resolves when the current consumer crashed for good (kafkajs will not restart it). */
  private crashed: ((error: unknown) => void) | undefined;

  constructor(private readonly workspace: Workspace, private readonly options: KafkaIngestOptions) {
    const config = workspace.config.kafka;
    this.settings = { ...config, ...(options.brokers ? { brokers: options.brokers } : {}) };
    this.group = options.group ?? config.group;
    this.topics = [...new Set(options.topics ?? Object.values(config.topics))];
    this.logger = options.logger;
    this.stopSignal = options.signal;
    this.metrics = new IngestMetrics(this.group, this.topics, () => ({ messages: this.bufferCount, bytes: this.bufferBytes, maxEvents: this.settings.batch.max_events }), LANES);
  }

  async run(): Promise<KafkaIngestSummary> {
    const started = performance.now();
    const layout = new LakeLayout(this.workspace.lakeRoot);
    await fs.mkdir(layout.stagingDir, { recursive: true });
    const spill = path.join(layout.stagingDir, `spill-kafka-${process.pid}`);
    const metricsServer = await this.startMetrics();
    const timers: NodeJS.Timeout[] = [];
    try {
      const engineConfig = this.workspace.config.engine;
      // Two lanes validate two batches at once, each a statement over one row group (one thread):
      // more DuckDB threads than cores per lane only contend. With 2 threads on 2 cores the steady
      // rate was 119,000–134,000 events/s, with 1 it was 147,000 (docs/performance.md).
      const perLane = Math.max(1, Math.floor(os.availableParallelism() / LANES));
      this.engine = await Engine.open({ memoryLimit: engineConfig.memory_limit, tempDirectory: spill, defaultThreads: perLane, ...(engineConfig.threads ? { threads: engineConfig.threads } : {}) });
      await loadReferenceTables(this.engine, this.workspace.resolve(this.workspace.config.reference.rates));
      this.session = await this.engine.session();
      await loadReferenceTables(this.session, this.workspace.resolve(this.workspace.config.reference.rates));
      this.freeLanes = [this.engine, this.session];
      this.streams = await startDaemonStreams(this.workspace, {
        ...(this.options.feedPort === undefined ? {} : { feedPort: this.options.feedPort }),
        logger: this.logger,
        kafka: this.settings,
        status: { eventsPerSecond: () => this.metrics.report().rates.events_out_per_second, lag: () => this.metrics.report().lag_total },
        ...(this.options.onFeedListening ? { onFeedListening: this.options.onFeedListening } : {}),
      });
      this.metrics.streamsReport = () => this.streams?.metrics() ?? null;
      this.client = createKafkaClient(this.settings, { logger: this.logger, debug: this.options.debug ?? false });
      this.metrics.state = 'connecting';
      await this.connectAdmin();
      if (!this.stopSignal.aborted) await this.ensureTopics();
      if (this.settings.dead_letter_topic && !this.stopSignal.aborted) {
        // Few retries per send: produceDeadLetters loops itself and must not hold a batch for minutes.
        this.deadLetterProducer = createProducer(createKafkaClient(this.settings, { logger: this.logger, debug: this.options.debug ?? false, retries: 2 }), { retries: 2 });
        await this.deadLetterProducer.connect();
      }
      const tick = Math.max(20, Math.min(250, Math.floor(this.settings.batch.max_ms / 4)));
      timers.push(setInterval(() => this.flushIfDue(), tick));
      timers.push(setInterval(() => void this.refreshEndOffsets(), 5_000));
      await this.consumeUntilStopped();
      await this.shutdown();
    } finally {
      for (const timer of timers) clearInterval(timer);
      // kafkajs can wait for a broker that is gone; the lake is committed, so do not wait long.
      const quietly = (work: Promise<void> | undefined) => (work ? withTimeout(work, 2_000, 'disconnect').catch(() => undefined) : undefined);
      await quietly(this.consumer?.disconnect());
      await quietly(this.deadLetterProducer?.disconnect());
      await quietly(this.admin?.disconnect());
      await this.streams?.close();
      this.session?.close();
      this.engine?.close();
      await fs.rm(spill, { recursive: true, force: true });
      await metricsServer?.close();
    }
    if (this.fatal !== undefined) throw this.fatal;
    return { group: this.group, topics: this.topics, seconds: (performance.now() - started) / 1000, totals: { ...this.metrics.totals } };
  }

  private async startMetrics(): Promise<MetricsServer | undefined> {
    const port = this.options.metricsPort ?? this.settings.metrics_port;
    if (port === 0) return undefined;
    try {
      const server = await startMetricsServer(this.metrics, port);
      this.logger.info(`metrics on http://127.0.0.1:${server.port}/metrics`, { port: server.port });
      this.options.onMetricsListening?.(server.port);
      return server;
    } catch (error) {
      this.logger.warn(`metrics endpoint not started: port ${port} on 127.0.0.1 is not available (${messageOf(error)}); ingest goes on without it`, { port });
      return undefined;
    }
  }

  /** Waits for a broker: a wrong address or a broker that is down is logged and retried, never fatal. */
  private async connectAdmin(): Promise<void> {
    let attempt = 0;
    let lastLog = 0;
    // A probe without kafkajs's own retries, so each failure is seen (and logged once) here.
    const probeClient = createKafkaClient(this.settings, { logger: this.logger, debug: this.options.debug ?? false, retries: 0, quiet: true });
    while (!this.stopSignal.aborted) {
      attempt++;
      const admin = probeClient.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        await admin.disconnect();
        const connected = this.client.admin();
        await connected.connect();
        this.admin = connected;
        if (attempt > 1) this.logger.info(`connected to Kafka at ${this.settings.brokers.join(',')}`, { attempts: attempt });
        return;
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        const auth = authFailure(error, this.settings.brokers);
        if (auth) throw auth;
        const wait = Math.min(5_000, 500 * 2 ** Math.min(attempt - 1, 4));
        if (Date.now() - lastLog >= 3_000) {
          lastLog = Date.now();
          this.logger.warn(`cannot reach Kafka at ${this.settings.brokers.join(',')}: ${describeKafkaError(error)}; retrying (attempt ${attempt})`, { brokers: this.settings.brokers, attempt });
        }
        await sleep(wait, this.stopSignal);
      }
    }
  }

  /** Creates missing topics with the broker's defaults; fails once, clearly, if that is refused. */
  private async ensureTopics(): Promise<void> {
    const admin = this.admin!;
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const wanted = [...this.topics, ...(this.settings.dead_letter_topic ? [this.settings.dead_letter_topic] : [])];
        const missing = wanted.filter((topic) => !existing.has(topic));
        if (missing.length === 0) return;
        try {
          await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
          this.logger.info(`created topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')} with the broker's default partitions`, { topics: missing });
          return;
        } catch (error) {
          const types = kafkaErrorTypes(error);
          if (types.length > 0 && types.every((type) => type === 'TOPIC_ALREADY_EXISTS')) return;
          const auth = authFailure(error, this.settings.brokers);
          if (auth || types.some((type) => /AUTHORIZATION|INVALID_TOPIC|POLICY|INVALID_REPLICATION|INVALID_PARTITIONS|INVALID_CONFIG/.test(type))) {
            throw new UserError('KAFKA_TOPIC', `Kafka topic${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist and cannot be created (${types.join(', ') || describeKafkaError(error)}).`, {
              hint: 'Create the topics, or name existing ones in kafka.topics (analytics.yaml) or with --topics.',
            });
          }
          throw error;
        }
      } catch (error) {
        if (isUserError(error)) throw error;
        const auth = authFailure(error, this.settings.brokers);
        if (auth) throw auth;
        this.logger.warn(`checking topics failed: ${describeKafkaError(error)}; retrying`);
        await sleep(2_000, this.stopSignal);
        if (this.stopSignal.aborted) return;
      }
    }
  }

  /** Runs consumers until stopped; a consumer that crashed for good is replaced after a pause. */
  private async consumeUntilStopped(): Promise<void> {
    let failures = 0;
    while (!this.stopSignal.aborted && this.fatal === undefined) {
      const crashed = new Promise<unknown>((resolve) => { this.crashed = resolve; });
      const stopped = new Promise<'stopped'>((resolve) => {
        if (this.stopSignal.aborted) resolve('stopped');
        this.stopSignal.addEventListener('abort', () => resolve('stopped'), { once: true });
      });
      try {
        await this.startConsumer();
        this.metrics.state = 'running';
        failures = 0;
      } catch (error) {
        this.crashed?.(error);
      }
      const outcome = await Promise.race([crashed, stopped]);
      if (outcome === 'stopped' || this.fatal !== undefined) return;
      const auth = authFailure(outcome, this.settings.brokers);
      if (auth) {
        this.fatal = auth;
        return;
      }
      failures++;
      this.metrics.state = 'connecting';
      const wait = Math.min(10_000, 1_000 * 2 ** Math.min(failures - 1, 3));
      this.logger.warn(`Kafka consumer stopped: ${describeKafkaError(outcome)}; reconnecting in ${wait / 1000} s`, { attempt: failures });
      const old = this.consumer;
      this.consumer = undefined;
      await old?.disconnect().catch(() => undefined);
      await sleep(wait, this.stopSignal);
    }
  }

  private async startConsumer(): Promise<void> {
    const sessionTimeout = this.settings.session_timeout_ms;
    const consumer = this.client.consumer({
      groupId: this.group,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.min(3_000, Math.floor(sessionTimeout / 5))),
      rebalanceTimeout: Math.max(sessionTimeout, 30_000),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      // Big enough for a 10 MB message to arrive whole (and be dead-lettered); the broker
      // returns at least one batch per partition whatever the limit.
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      retry: {
        retries: 8,
        initialRetryTime: 300,
        maxRetryTime: 5_000,
        restartOnFailure: async (error) => this.fatal === undefined && !this.stopping && authFailure(error, this.settings.brokers) === undefined,
      },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onGroupJoin(consumer, event.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      if (restart) {
        this.metrics.state = 'connecting';
        this.logger.warn(`Kafka consumer lost its connection: ${describeKafkaError(error)}; kafkajs restarts it`, {});
        return;
      }
      this.crashed?.(error);
    });
    consumer.on(consumer.events.CONNECT, () => {
      if (!this.stopping) this.metrics.state = 'running';
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * A new assignment: nothing buffered may be committed any more (kafkajs restarts every
   * partition from its own position), so the buffer is dropped, and each partition seeks to the
   * lake's offset. Partitions stay paused until then: the listener cannot await.
   */
  private onGroupJoin(consumer: Consumer, memberAssignment: Record<string, number[]>): void {
    const generation = ++this.generation;
    this.ready = false;
    consumer.pause(this.topics.map((topic) => ({ topic })));
    const keys = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => partitionKey(topic, partition)));
    void this.prepareAssignment(consumer, generation, keys).catch((error: unknown) => this.fail(error));
  }

  private async prepareAssignment(consumer: Consumer, generation: number, keys: PartitionKey[]): Promise<void> {
    await this.flushChain.catch(() => undefined);
    if (generation !== this.generation || this.stopping) return;
    this.dropBuffer();
    this.assignment = new Set(keys);
    let offsets: Map<PartitionKey, number> | undefined;
    for (let attempt = 1; offsets === undefined; attempt++) {
      try {
        offsets = await readLakeOffsets(this.workspace.lakeRoot, this.group);
        const missing = keys.filter((key) => !offsets!.has(key));
        if (missing.length > 0) offsets = await anchorOffsets(this.workspace.lakeRoot, this.group, await this.startOffsets(missing));
      } catch (error) {
        offsets = undefined;
        if (isUserError(error) && error.code !== 'LAKE_BUSY') throw error;
        this.logger.warn(`cannot read start offsets yet: ${describeKafkaError(error)}; retrying`, { attempt });
        await sleep(Math.min(5_000, 250 * 2 ** attempt), this.stopSignal);
      }
      if (generation !== this.generation || this.stopping) return;
    }
    this.positions = new Map();
    for (const key of keys) {
      const offset = offsets.get(key)!;
      this.positions.set(key, offset);
      this.metrics.setCommitted(key, offset);
      const { topic, partition } = splitPartitionKey(key);
      consumer.seek({ topic, partition, offset: String(offset) });
    }
    this.metrics.setAssignment(keys);
    this.ready = true;
    consumer.resume(this.topics.map((topic) => ({ topic })));
    this.logger.info(`assigned ${keys.length} partition${keys.length === 1 ? '' : 's'}; resuming from the lake's offsets`, { group: this.group, offsets: Object.fromEntries(keys.map((key) => [key, offsets.get(key)])) });
  }

  /** Where to start partitions the lake has never seen: their beginning or their end. */
  private async startOffsets(keys: PartitionKey[]): Promise<Map<PartitionKey, number>> {
    const starts = new Map<PartitionKey, number>();
    const topics = [...new Set(keys.map((key) => splitPartitionKey(key).topic))];
    for (const topic of topics) {
      const offsets = await this.admin!.fetchTopicOffsets(topic);
      for (const { partition, low, high } of offsets) {
        const key = partitionKey(topic, partition);
        if (keys.includes(key)) starts.set(key, Number(this.options.fromBeginning ? low : high));
      }
    }
    const unknown = keys.filter((key) => !starts.has(key));
    if (unknown.length > 0) throw new Error(`no offsets for ${unknown.join(', ')}`);
    return starts;
  }

  private async onBatch({ batch, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const key = partitionKey(batch.topic, batch.partition);
    this.metrics.setEndOffset(key, Number(batch.highWatermark));
    // Not ours (any more), or before the seek: skip. The seek that follows a join re-reads
    // anything skipped here, and what is below `positions` is buffered or committed already.
    if (this.stopping || !this.ready || !this.assignment.has(key) || isStale()) return;
    let position = this.positions.get(key) ?? 0;
    let added = 0;
    let list = this.buffer.get(key);
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < position) continue;
      if (!list) this.buffer.set(key, (list = []));
      list.push({ topic: batch.topic, partition: batch.partition, offset, value: message.value });
      this.bufferBytes += message.value?.length ?? 0;
      position = offset + 1;
      added++;
    }
    this.positions.set(key, position);
    if (added > 0) {
      this.lastReceivedAt = Date.now();
      if (this.bufferCount === 0) this.oldestBufferedAt = this.lastReceivedAt;
      this.bufferCount += added;
      this.metrics.received(added);
    }
    // Pipelining with backpressure: a full buffer goes to the writer and the next one starts
    // filling while it is validated and committed; up to two batches are written at once (one
    // validating while the other commits, see freeLanes). Only when two are in progress does
    // this handler wait for one (kafkajs fetches nothing more meanwhile), so memory stays bounded
    // by three batches: two being written, one full. Batches still commit one at a time, in order.
    if (this.bufferCount >= this.settings.batch.max_events) {
      while (this.inFlight.size >= LANES) await Promise.race(this.inFlight).catch(() => undefined);
      if (this.fatal !== undefined) throw this.fatal;
      if (this.stopping || isStale()) return;
      void this.flush('size').catch(() => undefined);
      await heartbeat();
    }
  }

  /**
   * A timed flush waits for a free writer: cutting a batch every `max_ms` while the writes fall
   * behind would queue ever more small batches (the event-to-lake latency grew to seconds);
   * meanwhile the buffer grows, and the next batch takes all of it.
   *
   * A batch of at least a tenth of `max_events` is also written once nothing has arrived for
   * PAUSE_FLUSH_MS: the stream paused (the end of a backlog or a burst), so waiting out `max_ms`
   * would add latency, not events. A smaller one waits, so slow streams still make batches of
   * `max_ms` rather than a file per event. A full buffer is not a pause: nothing arrives because
   * the handler waits for a writer (backpressure), and its size flush follows.
   */
  private flushIfDue(): void {
    if (this.bufferCount === 0 || !this.ready || this.stopping || this.inFlight.size >= LANES) return;
    const now = Date.now();
    if (now - this.oldestBufferedAt >= this.settings.batch.max_ms) {
      void this.flush('time').catch(() => undefined);
    } else if (now - this.lastReceivedAt >= PAUSE_FLUSH_MS && this.bufferCount * 10 >= this.settings.batch.max_events && this.bufferCount < this.settings.batch.max_events) {
      void this.flush('pause').catch(() => undefined);
    }
  }

  private dropBuffer(): void {
    if (this.bufferCount > 0) this.logger.debug(`dropped ${this.bufferCount} buffered messages (assignment changed; they are read again)`);
    this.buffer = new Map();
    this.bufferCount = 0;
    this.bufferBytes = 0;
  }

  private acquireLane(): Promise<Engine> {
    const lane = this.freeLanes.pop();
    return lane ? Promise.resolve(lane) : new Promise((resolve) => this.laneWaiters.push(resolve));
  }

  private releaseLane(lane: Engine): void {
    const waiter = this.laneWaiters.shift();
    if (waiter) waiter(lane);
    else this.freeLanes.push(lane);
  }

  private batchContext(engine: Engine): LakeBatchContext {
    return { engine, registry: this.workspace.registry, lakeRoot: this.workspace.lakeRoot, reportingCurrency: this.workspace.config.reporting_currency, group: this.group, tableHints: this.tableHints, ...(this.streams?.runner ? { streams: this.streams.runner } : {}) };
  }

  /**
   * Writes everything buffered now: validation starts at once on a free connection, the commit
   * waits for the batches flushed before it.
   */
  private flush(reason: 'size' | 'time' | 'pause' | 'stop'): Promise<void> {
    if (this.bufferCount === 0 || this.fatal !== undefined) return this.flushChain;
    const messages = [...this.buffer.values()].flat();
    this.dropBuffer();
    const started = performance.now();
    const hooks: LakeBatchHooks = this.deadLetterProducer ? { beforeCommit: (notes) => this.produceDeadLetters(messages, notes) } : {};
    const preparing = this.acquireLane().then(async (lane): Promise<{ lane: Engine; pending?: PendingLakeBatch; error?: unknown }> => {
      try {
        return { lane, pending: await prepareLakeBatch(this.batchContext(lane), messages) };
      } catch (error) {
        return { lane, error };
      }
    });
    const run = async () => {
      const { lane, pending, error } = await preparing;
      try {
        if (this.fatal !== undefined) {
          await pending?.discard();
          return;
        }
        const result = await this.commitRetrying(lane, pending, error, messages, hooks);
        const latency = performance.now() - started;
        this.metrics.batchCommitted(result, latency);
        for (const [key, offset] of result.offsets) this.metrics.setCommitted(key, offset);
        if (result.consumed > 0 || result.skipped > 0) {
          this.logger.info(`batch committed: ${result.stored} stored, ${result.rejected} rejected, ${result.duplicates} duplicates`, {
            reason, consumed: result.consumed, stored: result.stored, rejected: result.rejected, duplicates: result.duplicates, skipped: result.skipped,
            snapshot: result.snapshotVersion, ms: Math.round(latency), validate_ms: Math.round(result.timings.validate * 1000), commit_ms: Math.round(result.timings.commit * 1000),
          });
        }
        await this.commitToKafka(result.offsets);
      } finally {
        this.releaseLane(lane);
      }
    };
    const written = this.flushChain.catch(() => undefined).then(run);
    this.flushChain = written;
    const tracked = written.catch(() => undefined).finally(() => {
      this.inFlight.delete(tracked);
      this.metrics.writesInFlight(this.inFlight.size);
    });
    this.inFlight.add(tracked);
    this.metrics.writesInFlight(this.inFlight.size);
    return written;
  }

  /**
   * Commits a prepared batch (or, when its preparation failed, writes it again). While the lake is
   * busy (LAKE_BUSY), the batch is written again every second, 10 attempts in all; any other
   * failure stops the daemon.
   */
  private async commitRetrying(lane: Engine, pending: PendingLakeBatch | undefined, prepareError: unknown, messages: KafkaMessage[], hooks: LakeBatchHooks): Promise<LakeBatchResult> {
    let failure = prepareError;
    const failed = (error: unknown) => {
      failure = error;
      return undefined;
    };
    let result = pending ? await pending.commit(hooks).catch(failed) : undefined;
    for (let attempt = 2; result === undefined; attempt++) {
      if (!transientLakeError(failure) || attempt > 10) {
        this.fail(failure);
        throw failure;
      }
      this.logger.warn(`lake busy, retrying the batch: ${messageOf(failure)}`, { attempt });
      await sleep(1_000);
      result = await writeLakeBatch(this.batchContext(lane), messages, hooks).catch(failed);
    }
    return result;
  }

  /** After the lake commit: Kafka's offsets follow, for lag tools only (the lake's are the truth). */
  private async commitToKafka(offsets: Map<PartitionKey, number>): Promise<void> {
    const consumer = this.consumer;
    const owned = [...offsets].filter(([key]) => this.assignment.has(key));
    if (!consumer || owned.length === 0) return;
    try {
      await withTimeout(consumer.commitOffsets(owned.map(([key, offset]) => ({ ...splitPartitionKey(key), offset: String(offset) }))), this.stopping ? 1_500 : 3_000, 'Kafka offset commit');
    } catch (error) {
      this.logger.debug(`Kafka offset commit skipped: ${describeKafkaError(error)} (the lake holds the offsets)`);
    }
  }

  /**
   * Rejected records to the dead-letter topic, the reasons in headers; before the lake commit, so
   * at least once. Values over 1 MB (Kafka's default message limit) are left out, with their size
   * in a header: a partly refused send could not be retried without duplicating the rest.
   */
  private async produceDeadLetters(messages: readonly KafkaMessage[], notes: DeadLetterNote[]): Promise<void> {
    const byOrigin = new Map(messages.map((message) => [messageOrigin(message), message]));
    const topic = this.settings.dead_letter_topic!;
    const records = notes.map((note) => {
      const value = byOrigin.get(note.origin)?.value ?? null;
      const omitted = value !== null && value.length > DEAD_LETTER_VALUE_LIMIT;
      return {
        // Keyed, so that a retried send resends the same batches (createProducer); one origin, one partition.
        key: note.origin,
        value: omitted ? null : value,
        headers: {
          'analytics-origin': note.origin,
          'analytics-stage': note.stage,
          'analytics-reasons': JSON.stringify(note.reasons),
          ...(omitted ? { 'analytics-value-omitted-bytes': String(value.length) } : {}),
        },
      };
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deadLetterProducer!.send({ topic, acks: -1, messages: records });
        return;
      } catch (error) {
        if (this.stopSignal.aborted || attempt >= 5) {
          this.logger.warn(`dead letters not produced to ${topic}: ${describeKafkaError(error)} (they are in the lake's dead_letters table)`, { count: records.length });
          return;
        }
        await sleep(1_000 * attempt, this.stopSignal);
      }
    }
  }

  private async refreshEndOffsets(): Promise<void> {
    if (!this.admin || this.assignment.size === 0) return;
    const topics = new Set([...this.assignment].map((key) => splitPartitionKey(key).topic));
    try {
      for (const topic of topics) {
        for (const { partition, high } of await this.admin.fetchTopicOffsets(topic)) this.metrics.setEndOffset(partitionKey(topic, partition), Number(high));
      }
    } catch {
      // Lag is refreshed again in 5 s; the consumer's own errors are logged elsewhere.
    }
  }

  private fail(error: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.logger.error(`ingest stopped: ${messageOf(error)}`);
    this.crashed?.(error);
  }

  /** Stop fetching, write what is buffered, commit, leave the group. */
  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.metrics.state = 'stopping';
    const consumer = this.consumer;
    if (consumer && this.fatal === undefined) {
      try {
        consumer.pause(this.topics.map((topic) => ({ topic })));
      } catch {
        // not running: nothing to pause
      }
    }
    if (this.fatal === undefined && this.ready) {
      const buffered = this.bufferCount;
      await this.flush('stop').catch(() => undefined);
      if (buffered > 0) this.logger.info(`flushed ${buffered} buffered messages before stopping`);
    } else {
      await this.flushChain.catch(() => undefined);
    }
    this.consumer = undefined;
    // Leaving the group waits for a join in progress (up to the rebalance timeout) when the
    // broker is slow or gone; the lake is committed by now, so the group can find out later.
    if (consumer) await withTimeout(consumer.disconnect(), 2_500, 'leaving the consumer group').catch((error: unknown) => this.logger.warn(`${messageOf(error)}; exiting anyway`));
  }
}
