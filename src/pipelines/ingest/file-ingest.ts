/**
 * `analytics ingest file`: every input file becomes one batch — read, validated and enriched in
 * DuckDB, de-duplicated and committed atomically (batch-writer.ts). A file that cannot be read
 * stores nothing and is reported; the other files go on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Engine } from '../../duckdb/engine.js';
import { ident, literal } from '../../duckdb/sql.js';
import { diskFullOr, isUserError, UserError } from '../../errors.js';
import { LakeLayout } from '../../lake/layout.js';
import type { Workspace } from '../../workspace/workspace.js';
import { batchStagingDir, commitBatch, newBatchId, type BatchResult, type PrewrittenTable, type TableCount } from './batch-writer.js';
import { recordsWritten, tablesOf, writeFastPasses, writtenByPasses, type DirectWrite } from './direct-write.js';
import { checkGzipComplete, countLines, describeInput, expandPaths, spoolStdin, type InputFile, type InputFormat } from './inputs.js';
import { inputRelation } from './input-relation.js';
import { loadReferenceTables } from './reference-tables.js';
import { firstRecordsPlan, stageValidatedBatch, validationColumns, writeStagedTables, type StagedBatch } from './staged-batch.js';
import { openStreamRunner, type StreamRunner } from '../../streams/runner.js';
import { KafkaOutput } from '../../streams/kafka-output.js';
import { outboxHasFiles } from '../../streams/outbox.js';
import { describeKafkaError } from '../kafka/client.js';
import type { Logger } from '../../cli/logger.js';

export interface IngestFileOptions {
  /** Files, globs, or '-' for standard input. */
  paths: string[];
  cwd?: string;
  stdin?: NodeJS.ReadableStream;
  inputFormat?: InputFormat;
  /** More rejected records than this (over all files) make the run fail; -1: no limit. */
  maxErrors?: number;
  onProgress?: (event: IngestProgress) => void;
  /** false: validate every record through the general (staged) path; tests compare both paths. Default true. */
  fastPath?: boolean;
  /** Size (bytes of text; a gzip or Parquet file's bytes count four times) from which a file of several types takes one fast pass per type's table; default 128 MiB (ROUTED_FAST_PATH_BYTES). */
  routedFastPathBytes?: number;
  /** Receives the Kafka client's lines when stream jobs produce to Kafka topics. */
  logger?: Logger;
  /** How long to try producing stream results to their Kafka topics after the files (default 20 s). */
  kafkaOutputWaitMs?: number;
}

/** Stream results bound for Kafka topics (`output.kafka` in streams.yaml), after the run. */
export interface KafkaOutputSummary {
  topics: string[];
  /** Results produced by this run (including any an earlier run left in the outbox). */
  produced: number;
  /** Committed results still in the outbox: the next ingest or the Kafka daemon produces them. */
  pending: number;
  error: string | null;
}

export type IngestProgress =
  | { kind: 'file-start'; label: string; index: number; total: number; bytes: number }
  | { kind: 'file-stage'; label: string; stage: 'validating' | 'locating rejects' | 'writing' }
  | { kind: 'file-done'; file: FileSummary; index: number; total: number }
  | { kind: 'file-failed'; label: string; message: string; index: number; total: number };

export interface FileSummary {
  label: string;
  format: InputFormat;
  read: number;
  stored: number;
  rejected: number;
  duplicates: number;
  tables: TableCount[];
  snapshotVersion: number;
  seconds: number;
  /** Seconds per stage: validate (read, parse, check, stage), locate (reject lines), write (the general path's table files), commit, and the commit's parts. */
  stages: { validate: number; locate: number; write: number; commit: number; commitParts?: BatchResult['timings'] };
  /** The fast path's part (direct-write.ts), one entry per table it wrote: its rows, whether they were re-sorted. */
  fastPath?: { table: string; rows: number; rewritten: boolean }[];
}

export interface IngestSummary {
  files: FileSummary[];
  failures: { label: string; code: string; message: string; hint?: string }[];
  read: number;
  stored: number;
  rejected: number;
  duplicates: number;
  seconds: number;
  eventsPerSecond: number;
  maxErrors: number;
  /** True when rejected > maxErrors (and maxErrors is not -1). */
  tooManyRejects: boolean;
  kafkaOutput?: KafkaOutputSummary;
}

export async function ingestFiles(workspace: Workspace, options: IngestFileOptions): Promise<IngestSummary> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const layout = new LakeLayout(workspace.lakeRoot);
  await fs.mkdir(layout.stagingDir, { recursive: true });
  const maxErrors = options.maxErrors ?? workspace.config.ingest.max_errors;
  const spill = path.join(layout.stagingDir, `spill-${process.pid}`);
  const engine = await Engine.open({ memoryLimit: workspace.config.engine.memory_limit, tempDirectory: spill, ...(workspace.config.engine.threads ? { threads: workspace.config.engine.threads } : {}) });
  const summary: IngestSummary = { files: [], failures: [], read: 0, stored: 0, rejected: 0, duplicates: 0, seconds: 0, eventsPerSecond: 0, maxErrors, tooManyRejects: false };
  const stdinCopy = path.join(layout.stagingDir, `stdin-${process.pid}`);
  let streams: StreamRunner | undefined;
  const sessions: Engine[] = [];
  try {
    await loadReferenceTables(engine, workspace.resolve(workspace.config.reference.rates));
    streams = await openStreamRunner(workspace);
    const paths = await expandPaths(options.paths, cwd);
    if (paths.length > 1) {
      // A second connection, so the next file is read and validated while this one commits.
      const session = await engine.session();
      sessions.push(session);
      await loadReferenceTables(session, workspace.resolve(workspace.config.reference.rates));
    }
    const connections = [engine, ...sessions];
    const progress = inOrderProgress(options.onProgress);
    const prepare = async (index: number): Promise<PreparedFile> => {
      const { path: target, label, error: pathError } = paths[index]!;
      if (pathError) throw pathError;
      if (target === '-') {
        if (!options.stdin) throw new UserError('BAD_ARGUMENT', 'stdin: no standard input was given.');
        await spoolStdin(options.stdin, stdinCopy);
      }
      const input = await describeInput(target === '-' ? stdinCopy : target, label, options.inputFormat);
      progress.emit(index, { kind: 'file-start', label, index, total: paths.length, bytes: input.bytes });
      const onStage = (stage: FileStage) => progress.emit(index, { kind: 'file-stage', label, stage });
      return prepareFile(connections[index % connections.length]!, workspace, input, onStage, options.fastPath ?? true, options.routedFastPathBytes ?? ROUTED_FAST_PATH_BYTES);
    };
    // Files are committed one at a time, in order; file n + 1 is read and validated (DuckDB's
    // threads) while file n commits (its stream jobs are JavaScript on this thread). Settings the
    // validation changes for a statement (preserve_insertion_order, disabled_optimizers, the
    // memory floor) are the instance's, so a commit running meanwhile may get them too: its
    // writes are ordered by ORDER BY, so only its plan can differ, never what it stores.
    let next: Promise<Settled<PreparedFile>> | undefined = paths.length > 0 ? settle(prepare(0)) : undefined;
    for (const [index, { label }] of paths.entries()) {
      const outcome = await next!;
      next = index + 1 < paths.length ? settle(prepare(index + 1)) : undefined;
      try {
        if (!outcome.ok) throw outcome.error;
        const onStage = (stage: FileStage) => progress.emit(index, { kind: 'file-stage', label, stage });
        const file = await commitFile(outcome.value, workspace, onStage, streams);
        summary.files.push(file);
        progress.emit(index, { kind: 'file-done', file, index, total: paths.length });
      } catch (error) {
        if (!isUserError(error)) {
          const pending = await next;
          if (pending?.ok) await pending.value.dispose();
          throw error;
        }
        summary.failures.push({ label, code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
        progress.emit(index, { kind: 'file-failed', label, message: error.message, index, total: paths.length });
      }
      progress.done(index);
    }
  } finally {
    for (const session of sessions) session.close();
    engine.close();
    await fs.rm(spill, { recursive: true, force: true });
    await fs.rm(stdinCopy, { force: true });
  }
  for (const file of summary.files) {
    summary.read += file.read;
    summary.stored += file.stored;
    summary.rejected += file.rejected;
    summary.duplicates += file.duplicates;
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.eventsPerSecond = summary.seconds > 0 ? Math.round(summary.read / summary.seconds) : 0;
  summary.tooManyRejects = maxErrors >= 0 && summary.rejected > maxErrors;
  if (streams && (streams.kafkaTopics.length > 0 || await outboxHasFiles(workspace.lakeRoot))) summary.kafkaOutput = await produceStreamResults(workspace, streams.kafkaTopics, options);
  return summary;
}

/**
 * Produces the committed stream results of the outbox to their topics, for at most
 * `kafkaOutputWaitMs`. A broker that is down fails nothing: the results stay in the outbox.
 */
async function produceStreamResults(workspace: Workspace, topics: string[], options: IngestFileOptions): Promise<KafkaOutputSummary> {
  const output = new KafkaOutput(workspace.lakeRoot, workspace.config.kafka, options.logger ?? SILENT);
  const wait = options.kafkaOutputWaitMs ?? 20_000;
  let error: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      output.drain(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`not done after ${wait / 1000} s`)), wait); }),
    ]);
  } catch (failure) {
    error = describeKafkaError(failure);
  } finally {
    clearTimeout(timer);
    await output.close(0);
  }
  return { topics, produced: output.stats.produced, pending: output.stats.pendingMessages, error };
}

const SILENT: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let batchCounter = 0;

/**
 * A mixed file takes one fast pass per table only from this size on (bytes of text): each pass
 * reads the whole file and has its fixed costs (planning, a sample check, row-group statistics),
 * which the general path's one pass beats on small files. Measured on files of four types:
 * 0.76× at 22 MB (50,000 events), even at 44 and 89 MB, 1.23× at 222 MB, 1.45× at 484 MB.
 */
const ROUTED_FAST_PATH_BYTES = 128 * 1024 ** 2;

/**
 * About how many bytes of event text a byte of the file holds: gzip and Parquet hold four to five
 * times more events per byte than text. Mixed files of a million events took the general path
 * to 1,004 MiB (Parquet, 99 MB) and 841 MiB (gzip, 112 MB), one pass per table to 591 and 520
 * MiB; three million in Parquet (296 MB) 1,141 against 809 MiB.
 */
function textBytesPerByte(input: InputFile): number {
  return input.gzip || input.format === 'parquet' ? 4 : 1;
}

type FileStage = 'validating' | 'locating rejects' | 'writing';

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

/**
 * Progress events in file order: a file prepared ahead reports once the files before it are
 * done, so a listener (the progress line) follows one file at a time.
 */
function inOrderProgress(onProgress: ((event: IngestProgress) => void) | undefined) {
  let current = 0;
  const held = new Map<number, IngestProgress[]>();
  return {
    emit(index: number, event: IngestProgress): void {
      if (index === current) onProgress?.(event);
      else held.set(index, [...(held.get(index) ?? []), event]);
    },
    done(index: number): void {
      current = index + 1;
      for (const event of held.get(current) ?? []) onProgress?.(event);
      held.delete(current);
    },
  };
}

/** A file read, validated and staged on its connection, waiting for its commit. */
interface PreparedFile {
  engine: Engine;
  input: InputFile;
  started: number;
  stages: { validate: number; locate: number; write: number; commit: number };
  batchId: string;
  ingestedAt: string;
  batch: StagedBatch | undefined;
  direct: DirectWrite[];
  /** The general path's table files (written before the commit, like the fast path's). */
  generalTables: PrewrittenTable[];
  staged: { total: number; rejected: number };
  unreadable: number;
  deadLetterSql: string;
  /** Drops the file's temporary tables and staged files (after its commit, or instead of it). */
  dispose(): Promise<void>;
}

/** Reads, validates and stages one file (nothing in the lake changes); see commitFile. */
async function prepareFile(engine: Engine, workspace: Workspace, input: InputFile, onStage: (stage: FileStage) => void, fastPath: boolean, routedFastPathBytes: number): Promise<PreparedFile> {
  const started = performance.now();
  const registry = workspace.registry;
  const stages = { validate: 0, locate: 0, write: 0, commit: 0 };
  // Runs beside DuckDB's read; a truncated gzip file must store nothing (see checkGzipComplete).
  const gzipChecked = input.gzip ? checkGzipComplete(input).then(() => undefined, (error: unknown) => error) : undefined;
  const relation = await inputRelation(engine, input, validationColumns(registry));
  const rejectLines = `_reject_lines_${process.pid}_${batchCounter++}`;
  const context = { engine, registry, lakeRoot: workspace.lakeRoot, reportingCurrency: workspace.config.reporting_currency };
  const batchId = newBatchId();
  const ingestedAt = new Date().toISOString();
  const stagingDir = new LakeLayout(workspace.lakeRoot).stagingDir;
  let batch: StagedBatch | undefined;
  const direct: DirectWrite[] = [];
  let generalTables: PrewrittenTable[] = [];
  const dispose = async () => {
    await engine.run(`DROP TABLE IF EXISTS ${ident(rejectLines)};${relation.rejectsTable ? ` DROP TABLE IF EXISTS ${ident(relation.rejectsTable)};` : ''}`);
    await batch?.drop();
    // commitBatch removes the batch's staging folder; this covers a failure before it ran.
    await fs.rm(batchStagingDir(workspace.lakeRoot, batchId), { recursive: true, force: true });
  };
  try {
    try {
      onStage('validating');
      // Fast path: each table's valid records straight to their files (one pass per table of a
      // mixed file, over the records routed to it); the general path below takes only what they
      // did not write (other types, rejects), and only if there is any.
      const large = input.bytes * textBytesPerByte(input) >= routedFastPathBytes;
      const plan = fastPath ? await tablesOf(engine, registry, relation.plainSql, { routed: large }) : undefined;
      if (plan) {
        // Lines of plain NDJSON, at least its records (with `\n` line ends only: DuckDB's reader
        // takes a stray CR for a line end in CRLF files).
        const maxRecords = input.format === 'ndjson' && !input.gzip && !input.crlf ? countLines(input.path).catch(() => undefined) : undefined;
        const passes = await writeFastPasses(engine, context, relation, plan, { staging: batchStagingDir(workspace.lakeRoot, batchId), batchId, ingestedAt, large, ...(maxRecords ? { maxRecords } : {}) });
        direct.push(...passes.writes);
        if (passes.total > recordsWritten(direct)) {
          // tablesOf found the first records all valid, so none of them was malformed.
          batch = await stageValidatedBatch(engine, registry, relation.plainSql, stagingDir, { ...writtenByPasses(registry, passes), malformedExpected: false, textRead: plan.textRead });
          if (batch.total + recordsWritten(direct) !== passes.total) {
            throw new Error(`fast and general path do not split ${input.label}: ${passes.total} records, ${recordsWritten(direct)} written directly, ${batch.total} staged`);
          }
        }
      } else {
        batch = await stageValidatedBatch(engine, registry, relation.sql, stagingDir, await firstRecordsPlan(engine, registry, relation.plainSql));
      }
      stages.validate = (performance.now() - started) / 1000;
    } catch (error) {
      if (!(error instanceof Error) || error.message.startsWith('fast and general path')) throw error;
      const full = diskFullOr(error, input.label);
      if (full !== error) throw full;
      throw new UserError('INPUT_UNREADABLE', `${input.label}: cannot be read as ${input.format}${input.gzip ? ' (gzip)' : ''}: ${(error as Error).message.split('\n')[0]}`, {
        hint: input.gzip ? 'The gzip stream may be truncated or corrupt; copy the file again from its source. Nothing from it was stored.' : 'Nothing from it was stored; fix the file or pass --input-format.',
      });
    }
    const staged = { total: batch?.total ?? 0, rejected: batch?.rejected ?? 0 };
    const checked = batch ? ident(batch.view) : undefined;
    const unreadable = relation.rejectsTable ? await countRows(engine, relation.rejectsTable) : 0;
    const origin = (line: string) => `${literal(input.label)} || ${literal(relation.separator)} || ${line}`;
    const deadLetterParts: string[] = [];
    if (checked && staged.rejected > 0) {
      onStage('locating rejects');
      // Second pass, only for files with rejects: find each rejected record's line.
      await engine.run(`CREATE TEMP TABLE ${ident(rejectLines)} AS
        SELECT n.n, n.raw FROM (${relation.numberedSql}) n WHERE n.raw IN (SELECT raw FROM ${checked} WHERE len(reasons) > 0)`);
      await engine.run(`ALTER TABLE ${ident(rejectLines)} ADD COLUMN line BIGINT`);
      if (unreadable > 0 && relation.rejectsTable) {
        // The reader skipped unreadable lines, so the n-th record read is the n-th line that is
        // not among them.
        await engine.run(`UPDATE ${ident(rejectLines)} SET line = m.line FROM (
            SELECT row_number() OVER (ORDER BY line) AS n, line FROM (
              SELECT unnest(generate_series(${relation.firstLine}, ${relation.firstLine} + ${staged.total + recordsWritten(direct)} + ${unreadable} + (SELECT count(*) FROM (${relation.numberedSql}) WHERE raw IS NULL OR trim(raw) = ''))) AS line
              EXCEPT SELECT line FROM ${ident(relation.rejectsTable)})) m
          WHERE m.n = ${ident(rejectLines)}.n`);
      } else {
        await engine.run(`UPDATE ${ident(rejectLines)} SET line = n + ${relation.firstLine - 1}`);
      }
      deadLetterParts.push(`SELECT l.raw, ${origin('l.line')} AS origin, c.reasons, 'validate' AS stage, c.id AS event_id, c."type" AS event_type
        FROM ${ident(rejectLines)} l JOIN (SELECT DISTINCT ON (raw) raw, reasons, id, "type" FROM ${checked} WHERE len(reasons) > 0) c USING (raw)`);
    }
    if (unreadable > 0 && relation.rejectsTable) {
      deadLetterParts.push(`SELECT ltrim(csv_line, E'\\n') AS raw, ${origin('line')} AS origin, ['unreadable line: ' || error_message] AS reasons,
        'parse' AS stage, NULL AS event_id, NULL AS event_type FROM ${ident(relation.rejectsTable)}`);
    }
    const deadLetterSql = deadLetterParts.length > 0 ? deadLetterParts.join(' UNION ALL ') : NO_DEAD_LETTERS;
    const gzipError = await gzipChecked;
    if (gzipError !== undefined) throw gzipError;
    stages.locate = (performance.now() - started) / 1000 - stages.validate;
    if (batch) {
      generalTables = await writeStagedTables(context, batch, batchStagingDir(workspace.lakeRoot, batchId), batchId, ingestedAt)
        .catch((error: unknown) => { throw diskFullOr(error, input.label); });
      stages.write = (performance.now() - started) / 1000 - stages.validate - stages.locate;
    }
    return { engine, input, started, stages, batchId, ingestedAt, batch, direct, generalTables, staged, unreadable, deadLetterSql, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Commits a prepared file as one batch (batch-writer.ts) and checks that its counts reconcile. */
async function commitFile(prepared: PreparedFile, workspace: Workspace, onStage: (stage: FileStage) => void, streams?: StreamRunner): Promise<FileSummary> {
  const { engine, input, started, stages, direct, generalTables, staged, unreadable } = prepared;
  const context = { engine, registry: workspace.registry, lakeRoot: workspace.lakeRoot, reportingCurrency: workspace.config.reporting_currency };
  try {
    onStage('writing');
    const committing = performance.now();
    const result = await commitBatch(context, {
      prewritten: [...direct.map((write) => ({ table: write.table, files: write.files })), ...generalTables],
      batchId: prepared.batchId,
      ingestedAt: prepared.ingestedAt,
      deadLetterSql: prepared.deadLetterSql,
      details: { input: input.label, format: input.format },
      ...(streams ? { extend: streams.extend } : {}),
    }).catch((error: unknown) => {
      throw diskFullOr(error, input.label);
    });
    stages.commit = (performance.now() - committing) / 1000;
    const read = staged.total + recordsWritten(direct) + unreadable;
    const file: FileSummary = {
      label: input.label,
      format: input.format,
      read,
      stored: result.stored,
      rejected: staged.rejected + unreadable,
      duplicates: result.duplicates,
      tables: result.tables,
      snapshotVersion: result.snapshotVersion,
      seconds: (performance.now() - started) / 1000,
      stages: { ...stages, commitParts: result.timings },
      ...(direct.length > 0 ? { fastPath: direct.map((write) => ({ table: write.table, rows: write.written, rewritten: write.rewritten })) } : {}),
    };
    if (file.stored + file.rejected + file.duplicates !== file.read || result.deadLettered !== file.rejected) {
      throw new Error(`counts do not reconcile for ${input.label}: read ${read}, stored ${file.stored}, rejected ${file.rejected}, dead-lettered ${result.deadLettered}, duplicates ${file.duplicates}`);
    }
    return file;
  } finally {
    await prepared.dispose();
  }
}

const NO_DEAD_LETTERS = `SELECT NULL::VARCHAR AS raw, NULL::VARCHAR AS origin, NULL::VARCHAR[] AS reasons, NULL::VARCHAR AS stage, NULL::VARCHAR AS event_id, NULL::VARCHAR AS event_type WHERE false`;

async function countRows(engine: Engine, table: string): Promise<number> {
  try {
    const [row] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`);
    return Number(row?.n ?? 0);
  } catch {
    return 0; // DuckDB creates the rejects table only when the scan ran with rejects enabled
  }
}
