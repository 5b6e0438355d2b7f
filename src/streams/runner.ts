/**
 * Runs the stream jobs inside the ingest commit (exactly once). `commitBatch` calls `extend`
 * under the lake lock with the batch's newly stored (de-duplicated) events; the runner advances
 * every job from the state committed in the parent snapshot, and returns, for the same
 * snapshot: one result file per job with results, a dead-letter file for refused events, the
 * new checkpoint (a JSON file whose path and the jobs' watermarks go to `sources.streams`) and
 * the result tables' definitions. Data, input position (Kafka offsets), state and results
 * therefore become visible in one atomic step; after a crash the next batch starts from the
 * last committed state, which is what an uninterrupted run would have had.
 *
 * The whole state is written every `checkpoint_interval` (10 s by default), or every ten times
 * its own writing time when that is longer, not with every batch: it is megabytes (a join holds
 * every event of its time bound; state-file.ts), and writing it took a sixth of each batch's
 * time. A batch in between records only its id, ingest time and event counts per type (`since`).
 * The operators are deterministic, so a process that finds no state of its own in memory
 * rebuilds it: the last checkpoint, advanced again over the `since` batches' events read back
 * from the lake, without emitting (their results are committed already).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { EventTypeRegistry } from '../contract/registry.js';
import { UserError } from '../errors.js';
import { literal } from '../duckdb/sql.js';
import type { BatchExtension, StagedFile, StoredBatch } from '../pipelines/ingest/batch-writer.js';
import { LakeLayout } from '../lake/layout.js';
import { tableRelationSql } from '../lake/reader.js';
import { eventTableColumns } from '../lake/tables.js';
import type { Engine } from '../duckdb/engine.js';
import type { DataFile, DerivedTable, Snapshot } from '../lake/snapshot.js';
import type { ColumnSpec } from '../lake/tables.js';
import { loadStreams, type CompiledJob, type CompiledStreams, type KafkaOutputSettings } from './config.js';
import { advanceJob, initialJobState, type JobAdvance, type JobState } from './job.js';
import { tableReads, typeFilterSql, type TableRead } from './lake-events.js';
import { eventSlices, sliceEventsSetting, type EventSource } from './event-slices.js';
import type { Emission, ResultRow } from './operator.js';
import { iso } from './operator.js';
import { writeRefusedParquet, writeRowsParquet } from './result-files.js';
import { compareEvents, type RefusedEvent, type StreamEvent } from './stream-event.js';
import { appendAll } from './append-all.js';
import { outboxMessage, writeOutboxFile, type OutboxMessage } from './outbox.js';
import { streamsSourceOf, type SinceBatch, type StreamsSource } from './streams-source.js';
import { readStateFile, writeStateFile } from './state-file.js';
import { tightenHeapGrowth } from './heap-growth.js';

/** The checkpoint of every job, as stored in `_streams/state-<batch>.json`. */
export interface StreamsState {
  version: 1;
  jobs: Record<string, JobState>;
}

/** One committed batch's output, for the live feed. */
export interface CommittedStreams {
  lakeVersion: number;
  events: number;
  emissions: { job: string; emission: Emission }[];
  watermarks: Record<string, string | null>;
  /** Results this batch put in the Kafka outbox. */
  outboxed: number;
}

/** Adds the events' counts per type to `counts`. */
function addCounts(counts: Record<string, number>, events: readonly StreamEvent[]): void {
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
}

export const STATE_DIR = '_streams';

/** A full checkpoint also after this many batches, so that rebuilding the state stays bounded. */
const MAX_BATCHES_BETWEEN_CHECKPOINTS = 200;

/**
 * Checkpoints are at least this many times their own writing time apart: the default join at
 * 10,000 transactions/s holds 3.6 million events, whose checkpoint took seconds.
 */
const CHECKPOINT_COST_SHARE = 10;

/** Result rows of one job held before they are written to a file of the batch. */
const RESULT_ROWS_PER_FILE = 100_000;

/** The lake column every result row carries: the input batch whose commit emitted it. */
export const BATCH_COLUMN: ColumnSpec = { name: 'batch_id', sqlType: 'VARCHAR', description: 'Ingest batch whose processing emitted the row.' };

export function resultColumns(job: CompiledJob): ColumnSpec[] {
  return [...job.operator.columns, BATCH_COLUMN];
}

export function resultTable(job: CompiledJob): DerivedTable {
  const eventType = job.operator.derivedEventType;
  return { name: job.name, kind: 'stream', owner: `streams.yaml#${job.name}`, columns: resultColumns(job), ...(eventType ? { eventType } : {}) };
}

export interface RunnerStats {
  batches: number;
  events: number;
  emitted: number;
  late: number;
  future: number;
  /** Size of the last full checkpoint written. */
  stateBytes: number;
  checkpoints: number;
  seconds: number;
}

export class StreamRunner {
  /** The state after `batchId`, when this process committed it. */
  private cache: { batchId: string; state: StreamsState } | undefined;
  private readonly reads: TableRead[];
  private readonly listeners = new Set<(committed: CommittedStreams) => void>();
  /** performance.now() of the last full checkpoint this process committed (or of its start). */
  private checkpointedAt = performance.now();
  /** How long the last full checkpoint took to write. */
  private checkpointMs = 0;
  readonly stats: RunnerStats;
  /** The state after the last batch this process committed, for `stateEntries`. */
  private committedState: StreamsState | undefined;

  /** Events advanced at once (event-slices.ts). */
  private readonly sliceEvents = sliceEventsSetting();

  constructor(readonly streams: CompiledStreams, private readonly registry: EventTypeRegistry, private readonly lakeRoot: string) {
    this.reads = tableReads(streams.jobs, registry);
    this.stats = { batches: 0, events: 0, emitted: 0, late: 0, future: 0, stateBytes: 0, checkpoints: 0, seconds: 0 };
  }

  get jobs(): readonly CompiledJob[] {
    return this.streams.jobs;
  }

  /** Topics the jobs' results are also produced to. */
  get kafkaTopics(): string[] {
    return [...new Set(this.streams.jobs.flatMap((job) => job.kafkaTopic ? [job.kafkaTopic] : []))];
  }

  /**
   * Entries each job holds (windows, held join events, pattern candidates), counted when asked:
   * counting a join's hundred thousand held events after every batch cost more than the metric is worth.
   */
  stateEntries(): Record<string, number> {
    return Object.fromEntries(this.streams.jobs.map((job) => {
      const jobState = this.committedState?.jobs[job.name];
      return [job.name, jobState ? job.operator.stateEntries(jobState.operator) : 0];
    }));
  }

  /** Subscribes to committed results (the live feed); returns the unsubscribe function. */
  onCommitted(listener: (committed: CommittedStreams) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The `extend` hook of commitBatch. */
  readonly extend = async (batch: StoredBatch): Promise<BatchExtension | undefined> => {
    if (this.streams.jobs.length === 0) return undefined;
    const started = performance.now();
    const ingestedAt = Date.parse(batch.ingestedAt);
    const emissions: { job: string; emission: Emission }[] = [];
    const keepEmissions = this.listeners.size > 0;
    const refused: RefusedEvent[] = [];
    const staged: { table: string; files: StagedFile[] }[] = [];
    const outbox: OutboxMessage[] = [];
    const pending = new Map<CompiledJob, ResultRow[]>();
    let emitted = 0;
    const writeResults = async (job: CompiledJob) => {
      const rows = pending.get(job);
      if (!rows || rows.length === 0) return;
      pending.set(job, []);
      const part = staged.filter((entry) => entry.table === job.name).length;
      const file = await writeRowsParquet(batch.engine, path.join(batch.staging, job.name), `part-${batch.batchId}-${part}`, resultColumns(job), rows, { constants: { [BATCH_COLUMN.name]: batch.batchId } });
      staged.push({ table: job.name, files: [file] });
    };
    const fed: Record<string, number> = {};
    let state: StreamsState | undefined;
    // A batch of several slices is a large file: V8's heap grows less meanwhile (heap-growth.ts).
    let slices = 0;
    let relaxHeap: (() => void) | undefined;
    try {
      for await (const events of eventSlices(batch.engine, this.storedSources(batch), this.sliceEvents)) {
        if (++slices === 2) relaxHeap = tightenHeapGrowth();
        addCounts(fed, events);
        state ??= await this.loadState(batch.engine, batch.parent);
        for (const { job, result } of this.advanceAll(state, events, ingestedAt)) {
          appendAll(refused, result.refused);
          if (result.emissions.length === 0) continue;
          emitted += result.emissions.length;
          if (keepEmissions) for (const emission of result.emissions) emissions.push({ job: job.name, emission });
          if (job.kafkaTopic) for (const emission of result.emissions) outbox.push(outboxMessage(job, emission, batch.batchId, batch.ingestedAt));
          const rows = pending.get(job) ?? [];
          appendAll(rows, result.emissions.map((emission) => emission.row));
          pending.set(job, rows);
          if (rows.length >= RESULT_ROWS_PER_FILE) await writeResults(job);
        }
      }
    } finally {
      relaxHeap?.();
    }
    if (!state) return undefined;
    for (const job of pending.keys()) await writeResults(job);
    if (refused.length > 0) staged.push({ table: 'dead_letters', files: [await writeRefusedParquet(batch.engine, batch.staging, batch.batchId, batch.ingestedAt, refused)] });
    const events = Object.values(fed).reduce((sum, count) => sum + count, 0);

    const parentSource = streamsSourceOf(batch.parent);
    const since = parentSource?.since ?? [];
    // A large state takes seconds to write: at most a 1/CHECKPOINT_COST_SHARE of the time goes to it.
    const interval = Math.max(this.streams.checkpointInterval, this.checkpointMs * CHECKPOINT_COST_SHARE);
    const due = !parentSource || this.streams.checkpointInterval === 0 || since.length >= MAX_BATCHES_BETWEEN_CHECKPOINTS
      || performance.now() - this.checkpointedAt >= interval;
    let checkpoint: Pick<StreamsSource, 'state' | 'state_version' | 'since'>;
    let stateBytes: number | undefined;
    if (due) {
      const writing = performance.now();
      checkpoint = { state: `${STATE_DIR}/state-${batch.batchId}.json`, state_version: batch.parent.version + 1, since: [] };
      await fs.mkdir(path.join(this.lakeRoot, STATE_DIR), { recursive: true });
      stateBytes = await writeStateFile(path.join(this.lakeRoot, checkpoint.state), state);
      this.checkpointMs = performance.now() - writing;
    } else {
      // A source of an older release has no version: its checkpoint is at most the parent's.
      checkpoint = { state: parentSource.state, state_version: parentSource.state_version ?? batch.parent.version, since: [...since, { batch_id: batch.batchId, ingested_at: batch.ingestedAt, types: fed }] };
    }
    const watermarks = Object.fromEntries(this.streams.jobs.map((job) => {
      const watermark = state.jobs[job.name]?.watermark;
      return [job.name, watermark === null || watermark === undefined ? null : iso(watermark)];
    }));
    // Written before the commit; deliverable only once the snapshot below names it (outbox.ts).
    const outboxHead = outbox.length > 0 ? await writeOutboxFile(this.lakeRoot, parentSource?.outbox, batch.batchId, outbox) : parentSource?.outbox;
    return {
      staged,
      sources: (committed) => ({ ...committed, streams: { ...checkpoint, batch_id: batch.batchId, watermarks, ...(outboxHead ? { outbox: outboxHead } : {}) } satisfies StreamsSource }),
      define: this.streams.jobs.map(resultTable),
      committed: (version) => {
        this.cache = { batchId: batch.batchId, state };
        this.stats.batches++;
        this.stats.events += events;
        this.stats.emitted += emitted;
        this.stats.late += refused.filter((item) => item.stage === 'late').length;
        this.stats.future += refused.filter((item) => item.stage === 'future').length;
        this.committedState = state;
        if (stateBytes !== undefined) {
          this.stats.stateBytes = stateBytes;
          this.stats.checkpoints++;
          this.checkpointedAt = performance.now();
          void this.pruneStates(parentSource?.state, checkpoint.state);
        }
        this.stats.seconds += (performance.now() - started) / 1000;
        const committed: CommittedStreams = { lakeVersion: version, events, emissions, watermarks, outboxed: outbox.length };
        for (const listener of this.listeners) listener(committed);
      },
    };
  };

  /** The newly stored events of the jobs' types: the batch's staged files. */
  private storedSources(batch: StoredBatch): EventSource[] {
    return this.reads.flatMap((read) => {
      const stored = batch.stored.find((entry) => entry.table === read.table);
      return !stored || stored.files.length === 0 ? [] : [{ read, relation: `read_parquet([${stored.files.map(literal).join(', ')}])`, where: typeFilterSql(read), maxRows: stored.rows }];
    });
  }

  /**
   * Advances every job by one batch's events (`state` is changed in place); jobs whose
   * definition changed start again from an empty state, and jobs no longer declared are dropped.
   */
  private advanceAll(state: StreamsState, events: StreamEvent[], ingestedAt: number): { job: CompiledJob; result: JobAdvance }[] {
    // Sorted once here for every job (advanceJob's batchSorted).
    events.sort(compareEvents);
    const results = this.streams.jobs.map((job) => {
      let jobState = state.jobs[job.name];
      if (jobState?.fingerprint !== job.fingerprint) jobState = initialJobState(job);
      const result = advanceJob(job, jobState, events, ingestedAt, this.streams.maxFutureSkew, this.streams.idleTimeout, true);
      state.jobs[job.name] = result.state;
      return { job, result };
    });
    for (const name of Object.keys(state.jobs)) if (!this.streams.jobs.some((job) => job.name === name)) delete state.jobs[name];
    return results;
  }

  /**
   * The state committed in `parent`: from memory when this process committed it, else its last
   * checkpoint advanced over the batches committed since (see the top of this file).
   */
  private async loadState(engine: Engine, parent: Snapshot): Promise<StreamsState> {
    const source = streamsSourceOf(parent);
    if (!source) return { version: 1, jobs: {} };
    if (this.cache?.batchId === source.batch_id) {
      // The in-memory copy is advanced in place; drop it so a failed commit cannot leave it ahead.
      const { state } = this.cache;
      this.cache = undefined;
      return state;
    }
    let state: StreamsState;
    try {
      state = await readStateFile(path.join(this.lakeRoot, source.state)) as StreamsState;
    } catch (error) {
      throw new UserError('LAKE_CORRUPT', `The stream state ${source.state} named by lake version ${parent.version} cannot be read: ${(error as Error).message}`, {
        hint: 'Restore the file from backup; or remove `sources.streams` handling by deleting streams.yaml jobs and recompute them with `analytics stream replay`.',
      });
    }
    const since = source.since ?? [];
    if (since.length > 0) await this.catchUp(engine, parent, source.state_version ?? 0, since, state);
    return state;
  }

  /** Advances `state` over the events the `since` batches stored, read back from `snapshot`'s files. */
  private async catchUp(engine: Engine, snapshot: Snapshot, checkpointVersion: number, since: readonly SinceBatch[], state: StreamsState): Promise<void> {
    const layout = new LakeLayout(this.lakeRoot);
    // Rows committed after the checkpoint are in files added after it (compaction included). A
    // file an ingest commit wrote is named after its batch (`part-<batch>-…`) and holds only that
    // batch's rows, so each batch reads its own files and the others (compacted ones); reading
    // every file for every batch made a rebuild quadratic in the batches since the checkpoint.
    const filesOf = filesByBatch(snapshot.files.filter((file) => file.addedIn > checkpointVersion), since.map((entry) => entry.batch_id));
    const shared = filesOf.get(undefined) ?? [];
    for (const entry of since) {
      const sources: EventSource[] = [];
      const candidates = [...(filesOf.get(entry.batch_id) ?? []), ...shared];
      for (const read of this.reads) {
        // Only the types this batch gave the jobs (a job added since reads its types from then on).
        const types = read.types.filter((type) => entry.types[type] !== undefined);
        const files = candidates.filter((file) => file.table === read.table).map((file) => file.path);
        if (types.length === 0 || files.length === 0) continue;
        const relation = `(${tableRelationSql(layout, files, eventTableColumns(this.registry.table(read.table)!))})`;
        sources.push({ read, relation, where: `${typeFilterSql({ ...read, types })} AND batch_id = ${literal(entry.batch_id)}` });
      }
      const found: Record<string, number> = {};
      for await (const events of eventSlices(engine, sources, this.sliceEvents)) {
        addCounts(found, events);
        this.advanceAll(state, events, Date.parse(entry.ingested_at));
      }
      for (const [type, fed] of Object.entries(entry.types)) {
        if (!this.reads.some((read) => read.types.includes(type)) || fed === (found[type] ?? 0)) continue;
        throw new UserError('LAKE_CORRUPT', `The stream state cannot be rebuilt: batch ${entry.batch_id} gave the stream jobs ${fed} ${type} events, and the lake now holds ${found[type] ?? 0} of them.`, {
          hint: 'Files of that batch were removed or rewritten without it. Recompute the jobs with `analytics stream replay`, or restore the lake from backup.',
        });
      }
    }
  }

  /** Removes checkpoints that neither the parent nor the new snapshot names (under the lock, so no writer needs them). */
  private async pruneStates(parentState: string | undefined, current: string): Promise<void> {
    const dir = path.join(this.lakeRoot, STATE_DIR);
    const keep = new Set([parentState, current].filter(Boolean).map((file) => path.basename(file!)));
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.filter((name) => name.startsWith('state-') && !keep.has(name)).map((name) => fs.rm(path.join(dir, name), { force: true })));
  }
}

/** The runner for a workspace's enabled jobs, or undefined when it declares none. */
export async function openStreamRunner(workspace: { root: string; lakeRoot: string; registry: EventTypeRegistry; config: { kafka: KafkaOutputSettings } }): Promise<StreamRunner | undefined> {
  const { compiled } = await loadStreams(workspace.root, workspace.registry, workspace.config.kafka);
  return compiled.jobs.length === 0 ? undefined : new StreamRunner(compiled, workspace.registry, workspace.lakeRoot);
}

/**
 * Files by the batch that wrote them, among `batchIds`: an ingest commit names its files
 * `part-<batch>-…`. Files of no such batch (compacted ones) are under `undefined`.
 */
function filesByBatch(files: readonly DataFile[], batchIds: readonly string[]): Map<string | undefined, DataFile[]> {
  const ids = new Set(batchIds);
  const lengths = [...new Set(batchIds.map((id) => id.length))];
  const byBatch = new Map<string | undefined, DataFile[]>();
  for (const file of files) {
    const name = path.basename(file.path);
    const owner = name.startsWith('part-') ? lengths.map((length) => name.slice(5, 5 + length)).find((id, index) => ids.has(id) && name[5 + lengths[index]!] === '-') : undefined;
    const list = byBatch.get(owner) ?? [];
    list.push(file);
    byBatch.set(owner, list);
  }
  return byBatch;
}
