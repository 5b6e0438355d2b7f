/**
 * `analytics etl run`: runs pipelines, one date window at a time. A window runs its steps in an
 * in-memory DuckDB over the lake (independent steps concurrently, on separate connections),
 * stages every result under `lake/_staging/<run>/`, runs the steps' checks, then publishes the
 * files and commits ONE snapshot for the window. A failure or a kill before that commit leaves
 * every table as it was; the staged files are invisible and `lake vacuum` removes them.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { compileCheck } from '../checks/compile.js';
import { Engine } from '../duckdb/engine.js';
import { ident, literal } from '../duckdb/sql.js';
import { readEnv } from '../env.js';
import { diskFullOr, isUserError, UserError } from '../errors.js';
import { fsyncDir, fsyncFile } from '../lake/durable-fs.js';
import { LakeLayout } from '../lake/layout.js';
import { createLakeViews, LAKE_FILE_ERROR, tableRelationSql } from '../lake/reader.js';
import type { DataFile, DerivedTable, Snapshot } from '../lake/snapshot.js';
import { DEAD_LETTER_TABLE } from '../lake/tables.js';
import { replaceFiles } from '../lake/upkeep/replace-files.js';
import type { Workspace } from '../workspace/workspace.js';
import { newRunRecord, readRunRecords, effectiveStatus, writeRunRecord, type PartitionRecord, type RunRecord, type StepRecord } from './history.js';
import { describeColumns, stageLoad, stagedRelation, writeParquet, type StagedLoad } from './load.js';
import { planPipelines, type EtlPlan, type PipelinePlan, type StepPlan } from './plan.js';
import { substituteParameters, type ParameterValues } from './template.js';

export type EtlEvent =
  | { type: 'pipeline-start'; pipeline: string; runId: string; dates: (string | null)[]; steps: StepPlan[]; resumedFrom?: string }
  | { type: 'partition-start'; pipeline: string; date: string | null; steps: StepRecord[] }
  | { type: 'step'; pipeline: string; date: string | null; step: StepRecord }
  | { type: 'partition-end'; pipeline: string; partition: PartitionRecord }
  | { type: 'pipeline-end'; pipeline: string; record: RunRecord };

export interface EtlRunOptions {
  /** Pipelines to run (default all), in dependency order. */
  pipelines?: readonly string[];
  /** Steps: `name`, `name+` (and downstream), `+name` (and upstream). */
  select?: readonly string[];
  date?: string;
  /** Backfill: every date from `from` to `to`, both included. */
  from?: string;
  to?: string;
  /** Backfill: redo dates an unfinished earlier run of the same range committed. */
  restart?: boolean;
  /** Steps run at the same time at most (default 2). */
  concurrency?: number;
  onEvent?: (event: EtlEvent) => void;
}

export interface EtlRunResult {
  status: 'succeeded' | 'failed';
  runs: RunRecord[];
  seconds: number;
  /** The first failure, for the command's error line. */
  error?: { code: string; message: string; pipeline: string; step?: string; hint?: string };
}

/** The date windows of a run: one per date of a backfill, or one covering everything. */
export function runWindows(options: Pick<EtlRunOptions, 'date' | 'from' | 'to'>): { date: string | null; from: string; to: string }[] {
  const next = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  if (options.date) return [{ date: options.date, from: options.date, to: next(options.date) }];
  if (options.from || options.to) {
    if (!options.from || !options.to) throw new UserError('BAD_ARGUMENT', 'A backfill needs both --from and --to.', { hint: 'e.g. analytics etl run --from 2026-11-01 --to 2026-11-07 (both dates included)' });
    if (options.to < options.from) throw new UserError('BAD_ARGUMENT', `--to ${options.to} is before --from ${options.from}.`, { hint: 'Swap the dates.' });
    const windows = [];
    for (let day = options.from; day <= options.to; day = next(day)) windows.push({ date: day, from: day, to: next(day) });
    return windows;
  }
  return [{ date: null, from: '1970-01-01', to: '9999-12-31' }];
}

/** Steps to run for a selection; upstream steps without a load are always added (their rows are needed). */
export function selectSteps(pipeline: PipelinePlan, select: readonly string[] | undefined): StepPlan[] {
  if (!select?.length) return pipeline.steps;
  const byName = new Map(pipeline.steps.map((step) => [step.name, step]));
  const downstream = (name: string): string[] => pipeline.steps.filter((step) => step.upstream.includes(name)).flatMap((step) => [step.name, ...downstream(step.name)]);
  const upstream = (name: string): string[] => (byName.get(name)?.upstream ?? []).flatMap((up) => [up, ...upstream(up)]);
  const chosen = new Set<string>();
  for (const item of select) {
    const name = item.replace(/^\+|\+$/g, '');
    if (!byName.has(name)) continue;
    chosen.add(name);
    if (item.endsWith('+')) downstream(name).forEach((step) => chosen.add(step));
    if (item.startsWith('+')) upstream(name).forEach((step) => chosen.add(step));
  }
  const needed = (name: string): void => {
    for (const up of byName.get(name)?.upstream ?? []) {
      if (!chosen.has(up) && !byName.get(up)!.definition.load) {
        chosen.add(up);
        needed(up);
      }
    }
  };
  [...chosen].forEach(needed);
  return pipeline.steps.filter((step) => chosen.has(step.name));
}

/** Plans the workspace's pipelines against the newest snapshot (validate uses this too). */
export async function planWorkspace(workspace: Workspace, engine: Engine): Promise<{ plan: EtlPlan; snapshot: Snapshot }> {
  const snapshot = await createLakeViews(engine, workspace.lakeRoot, workspace.registry);
  const eventTables = [...workspace.registry.tables().map((table) => table.name), DEAD_LETTER_TABLE];
  const plan = await planPipelines(engine, workspace, { eventTables, derivedTables: Object.keys(snapshot.tables ?? {}) });
  return { plan, snapshot };
}

function engineOptions(workspace: Workspace) {
  return { memoryLimit: workspace.config.engine.memory_limit, ...(workspace.config.engine.threads ? { threads: workspace.config.engine.threads } : {}) };
}

export async function runEtl(workspace: Workspace, options: EtlRunOptions = {}): Promise<EtlRunResult> {
  const started = performance.now();
  const windows = runWindows(options);
  const planning = await Engine.open(engineOptions(workspace));
  let plan: EtlPlan;
  try {
    ({ plan } = await planWorkspace(workspace, planning));
  } finally {
    planning.close();
  }
  const names = options.pipelines ?? [];
  const unknown = names.filter((name) => !plan.pipelines.some((pipeline) => pipeline.name === name));
  if (unknown.length > 0) throw new UserError('BAD_ARGUMENT', `No pipeline named ${unknown.join(', ')} in ${plan.file}.`, { hint: `Pipelines: ${plan.pipelines.map((pipeline) => pipeline.name).join(', ') || '(none)'}. List them with: analytics etl list` });
  const chosen = names.length === 0 ? plan.pipelines : plan.pipelines.filter((pipeline) => names.includes(pipeline.name));
  if (chosen.length === 0) throw new UserError('BAD_ARGUMENT', `${plan.file} defines no pipelines.`, { hint: 'Add one under pipelines: (docs/etl.md), or copy the default warehouse from `analytics init`.' });
  if (options.select?.length) {
    const allSteps = new Set(chosen.flatMap((pipeline) => pipeline.steps.map((step) => step.name)));
    const missing = options.select.filter((item) => !allSteps.has(item.replace(/^\+|\+$/g, '')));
    if (missing.length > 0) throw new UserError('BAD_ARGUMENT', `No step named ${missing.join(', ')} in the pipelines run.`, { hint: `Steps: ${[...allSteps].join(', ')}` });
  }

  const runs: RunRecord[] = [];
  let error: EtlRunResult['error'];
  for (const pipeline of chosen) {
    const steps = selectSteps(pipeline, options.select);
    if (steps.length === 0) continue;
    const record = await runPipeline(workspace, pipeline, steps, windows, options);
    runs.push(record);
    if (record.status === 'failed') {
      const step = record.error?.step;
      error = { code: record.error?.code ?? 'ETL_STEP_FAILED', message: record.error?.message ?? 'failed', pipeline: pipeline.name, ...(step ? { step } : {}) };
      break; // later pipelines may depend on this one
    }
  }
  return { status: error ? 'failed' : 'succeeded', runs, seconds: (performance.now() - started) / 1000, ...(error ? { error } : {}) };
}

function runIdFor(pipeline: string): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${pipeline}-${randomUUID().slice(0, 6)}`;
}

async function runPipeline(workspace: Workspace, pipeline: PipelinePlan, steps: StepPlan[], windows: ReturnType<typeof runWindows>, options: EtlRunOptions): Promise<RunRecord> {
  const started = performance.now();
  const id = runIdFor(pipeline.name);
  const window = options.date ? { date: options.date } : options.from ? { from: options.from, to: options.to! } : {};
  const record = newRunRecord(id, pipeline.name, window, options.select);
  // A backfill picks up where an unfinished run of the same range stopped.
  let done = new Set<string>();
  if (options.from && !options.restart) {
    const [previous] = await readRunRecords(workspace, { pipeline: pipeline.name });
    if (previous && previous.window.from === options.from && previous.window.to === options.to && effectiveStatus(previous) !== 'succeeded' && effectiveStatus(previous) !== 'running' && JSON.stringify(previous.select ?? []) === JSON.stringify(options.select ?? [])) {
      done = new Set(previous.partitions.filter((partition) => partition.status === 'succeeded' || partition.status === 'skipped').map((partition) => partition.date!));
      if (done.size > 0) record.resumedFrom = previous.id;
    }
  }
  await writeRunRecord(workspace, record);
  options.onEvent?.({ type: 'pipeline-start', pipeline: pipeline.name, runId: id, dates: windows.map((w) => w.date), steps, ...(record.resumedFrom ? { resumedFrom: record.resumedFrom } : {}) });
  for (const window of windows) {
    if (window.date !== null && done.has(window.date)) {
      const skipped: PartitionRecord = { date: window.date, status: 'skipped', inputVersion: 0, seconds: 0, steps: [] };
      record.partitions.push(skipped);
      options.onEvent?.({ type: 'partition-end', pipeline: pipeline.name, partition: skipped });
      continue;
    }
    const partition = await runWindow(workspace, pipeline, steps, window, id, record, options);
    await writeRunRecord(workspace, record);
    options.onEvent?.({ type: 'partition-end', pipeline: pipeline.name, partition });
    if (partition.status === 'failed') {
      record.error = partition.error!;
      break;
    }
  }
  record.status = record.error ? 'failed' : 'succeeded';
  record.finishedAt = new Date().toISOString();
  record.seconds = (performance.now() - started) / 1000;
  await writeRunRecord(workspace, record);
  options.onEvent?.({ type: 'pipeline-end', pipeline: pipeline.name, record });
  return record;
}

/** Why a step failed, as a UserError whose message names the pipeline and step. */
function stepError(error: unknown, who: string): UserError {
  if (isUserError(error)) return error.message.includes(who) ? error : new UserError(error.code, `${who}: ${error.message}`, error.hint === undefined ? {} : { hint: error.hint });
  const full = diskFullOr(error, who);
  if (isUserError(full)) return full;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
  if (message.includes(LAKE_FILE_ERROR)) return new UserError('LAKE_CORRUPT', `${who}: ${message.replace(/^.*?(a lake data file)/, '$1')}`, { hint: 'A file listed in the current snapshot is missing or damaged; see docs/runbooks/lake.md. Nothing was committed.' });
  if (/No files found|Cannot open file|No such file|could not open/i.test(message)) return new UserError('ETL_STEP_FAILED', `${who}: a file it reads is gone or unreadable: ${message}`, { hint: 'Restore the file or fix the path in pipelines.yaml; nothing was committed.' });
  if (/does not exist/i.test(message) && /Table/.test(message)) return new UserError('ETL_STEP_FAILED', `${who}: ${message}`, { hint: 'A warehouse table is created by the first run of the step that loads it: run that pipeline first. Nothing was committed.' });
  return new UserError('ETL_STEP_FAILED', `${who}: ${message}`, { hint: 'Check the SQL with: analytics etl validate. Nothing was committed.' });
}

function filesRelation(workspace: Workspace, step: StepPlan, who: string): string {
  const pattern = step.definition.files!;
  const matches = fg.sync(pattern, { cwd: workspace.root, absolute: true, onlyFiles: true }).sort();
  if (matches.length === 0) throw new UserError('ETL_STEP_FAILED', `${who}: no file matches ${pattern} (in ${workspace.root}).`, { hint: 'Check the path or glob in pipelines.yaml; nothing was committed.' });
  const list = `[${matches.map(literal).join(', ')}]`;
  const format = step.definition.format !== 'auto' ? step.definition.format : /\.parquet$/i.test(pattern) ? 'parquet' : /\.(csv|tsv)(\.gz)?$/i.test(pattern) ? 'csv' : 'ndjson';
  if (format === 'parquet') return `SELECT * FROM read_parquet(${list}, union_by_name = true)`;
  if (format === 'csv') return `SELECT * FROM read_csv(${list}, union_by_name = true, header = true)`;
  return `SELECT * FROM read_json_auto(${list}, format = 'newline_delimited', union_by_name = true)`;
}

/** Rows of lake tables a step reads, from the snapshot's file list (no query): files within the window. */
function lakeRowsIn(snapshot: Snapshot, tables: readonly string[], window: { from: string; to: string }): number {
  return snapshot.files
    .filter((file) => tables.includes(file.table))
    .filter((file) => {
      const value = Object.values(file.partition)[0];
      return value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value) || (value >= window.from && value < window.to);
    })
    .reduce((sum, file) => sum + file.rows, 0);
}

/** ANALYTICS_ETL_TEST_PAUSE=`step[@date]:ms`: tests kill a run while it waits there. */
function testPause(step: string, date: string | null): number {
  const match = /^([a-z0-9_]+)(?:@([\d-]+))?:(\d+)$/.exec(readEnv('ANALYTICS_ETL_TEST_PAUSE') ?? '');
  if (!match || match[1] !== step || (match[2] !== undefined && match[2] !== date)) return 0;
  return Number(match[3]);
}

async function runWindow(workspace: Workspace, pipeline: PipelinePlan, steps: StepPlan[], window: { date: string | null; from: string; to: string }, runId: string, record: RunRecord, options: EtlRunOptions): Promise<PartitionRecord> {
  const started = performance.now();
  const layout = new LakeLayout(workspace.lakeRoot);
  const dateTag = window.date ? window.date.replaceAll('-', '') : 'all';
  const stagingName = `etl-${runId}-${dateTag}`;
  const staging = path.join(layout.stagingDir, stagingName);
  const engine = await Engine.open({ ...engineOptions(workspace), tempDirectory: path.join(staging, 'spill') });
  const records: StepRecord[] = steps.map((step) => ({ name: step.name, status: 'pending', rowsIn: 0, rowsOut: 0, seconds: 0, ...(step.definition.load ? { table: step.definition.load.table } : {}) }));
  const partition: PartitionRecord = { date: window.date, status: 'running', inputVersion: 0, seconds: 0, steps: records };
  record.partitions.push(partition);
  // The record follows every step (written atomically), so `etl history` and the scheduler see progress.
  let recordWrite: Promise<void> = Promise.resolve();
  const emit = (step: StepRecord) => {
    options.onEvent?.({ type: 'step', pipeline: pipeline.name, date: window.date, step: { ...step } });
    recordWrite = recordWrite.then(() => writeRunRecord(workspace, record)).catch(() => undefined);
  };
  const loads: { step: StepPlan; staged: StagedLoad }[] = [];
  let failure: UserError | undefined;
  let failedStep: string | undefined;
  try {
    await fs.mkdir(staging, { recursive: true });
    const base = await createLakeViews(engine, workspace.lakeRoot, workspace.registry);
    partition.inputVersion = base.version;
    await writeRunRecord(workspace, record);
    options.onEvent?.({ type: 'partition-start', pipeline: pipeline.name, date: window.date, steps: records.map((step) => ({ ...step })) });
    const selected = new Set(steps.map((step) => step.name));
    // Upstream steps outside the selection that load a table: their name reads the committed table.
    for (const step of pipeline.steps) {
      const table = step.definition.load?.table;
      if (!selected.has(step.name) && table && table !== step.name && base.tables?.[table]) await engine.run(`CREATE OR REPLACE VIEW ${ident(step.name)} AS SELECT * FROM ${ident(table)}`);
    }
    const today = new Date().toISOString().slice(0, 10);
    const params: ParameterValues = { run_date: window.date ?? today, from: window.from, to: window.to, run_id: runId, watermark: null };
    const watermarks = (base.sources.etl ?? {}) as Record<string, { watermark: string | null }>;

    const runStep = async (step: StepPlan, index: number): Promise<void> => {
      const who = `pipeline ${pipeline.name}, step ${step.name}`;
      const stepRecord = records[index]!;
      const stepStarted = performance.now();
      stepRecord.status = 'running';
      emit(stepRecord);
      const session = await engine.session();
      try {
        const definition = step.definition;
        stepRecord.rowsIn = step.upstream.reduce((sum, up) => sum + (records.find((other) => other.name === up)?.rowsOut ?? 0), 0) + lakeRowsIn(base, step.tables, window);
        const watermarkKey = `${pipeline.name}.${step.name}`;
        const committedWatermark = watermarks[watermarkKey]?.watermark ?? null;
        const relation = definition.files !== undefined ? filesRelation(workspace, step, who) : substituteParameters(definition.sql!, { ...params, watermark: committedWatermark });
        const dir = path.join(staging, step.name);
        let checkTable = step.name;
        /** The rows this step wrote (for partitioned loads: only the run's dates), which its checks read. */
        let stepRows: string;
        if (definition.load) {
          const load = definition.load;
          const existing = base.files.filter((file) => file.table === load.table);
          const { staged, stepFiles } = await stageLoad({
            engine: session, layout, dir, filePrefix: `part-${runId}-${dateTag}`, existing, existingColumns: base.tables?.[load.table]?.columns,
            window, effectiveAt: window.date ? `${window.date}T00:00:00Z` : new Date().toISOString(), watermark: committedWatermark, who,
          }, load, relation);
          loads.push({ step, staged });
          const removed = new Set(staged.remove);
          const newState = [...existing.filter((file) => !removed.has(file.path)).map((file) => file.path), ...staged.files.map((file) => layout.relative(file.file))];
          await session.run(`CREATE OR REPLACE VIEW ${ident(load.table)} AS ${tableRelationSql(layout, newState, staged.columns)}`);
          const stepColumns = stepFiles.length > 0 ? await describeColumns(session, `(SELECT * FROM read_parquet(${literal(stepFiles[0]!.file)}))`) : staged.columns;
          stepRows = stagedRelation(layout, stepFiles.map((file) => file.file), stepColumns);
          if (step.name !== load.table) await session.run(`CREATE OR REPLACE VIEW ${ident(step.name)} AS ${stepRows}`);
          stepRecord.rowsOut = staged.rowsOut;
          stepRecord.tableRows = staged.tableRows;
          checkTable = load.table;
        } else {
          const files = await writeParquet(session, relation, dir, `part-${runId}-${dateTag}`, {});
          const columns = await describeColumns(session, `(${relation})`);
          stepRows = stagedRelation(layout, files.map((file) => file.file), columns);
          await session.run(`CREATE OR REPLACE VIEW ${ident(step.name)} AS ${stepRows}`);
          stepRecord.rowsOut = files.reduce((sum, file) => sum + file.rows, 0);
        }
        if (definition.checks.length > 0) {
          stepRecord.checks = [];
          for (const check of definition.checks) {
            // Without `table:` a check reads the rows the step wrote; with it, the named table's new state.
            const compiled = compileCheck({ ...check, table: check.table ?? checkTable } as Parameters<typeof compileCheck>[0], undefined, check.table ? undefined : `(${stepRows})`);
            const result = { name: compiled.name, status: 'pass' as 'pass' | 'fail' | 'error', severity: compiled.severity, failingRows: 0, message: '' };
            try {
              const [quick] = compiled.quickSql ? await session.rows<{ n: number }>(compiled.quickSql) : [undefined];
              const [row] = quick && Number(quick.n) === 0 ? [{ n: 0 }] : await session.rows<{ n: number }>(`SELECT count(*) AS n FROM (${compiled.failingSql})`);
              result.failingRows = Number(row?.n ?? 0);
              if (result.failingRows > 0) {
                result.status = 'fail';
                result.message = `${result.failingRows} failing row${result.failingRows === 1 ? '' : 's'}`;
              }
            } catch (error) {
              result.status = 'error';
              result.message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
            }
            stepRecord.checks.push(result);
          }
          const failed = stepRecord.checks.filter((check) => check.status !== 'pass' && check.severity === 'error');
          if (failed.length > 0) {
            throw new UserError('ETL_STEP_FAILED', `${who}: check ${failed.map((check) => `${check.name} (${check.status === 'error' ? `could not run: ${check.message}` : check.message})`).join(', ')} failed; the steps after it did not run.`, {
              hint: `Nothing was committed. See the failing rows with: analytics query "SELECT * FROM (…)" after fixing, or run analytics check.`,
            });
          }
        }
        const pause = testPause(step.name, window.date);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        stepRecord.status = 'succeeded';
      } catch (error) {
        stepRecord.status = 'failed';
        const wrapped = stepError(error, who);
        stepRecord.error = wrapped.message;
        if (!failure) {
          failure = wrapped;
          failedStep = step.name;
        }
      } finally {
        session.close();
        stepRecord.seconds = (performance.now() - stepStarted) / 1000;
        emit(stepRecord);
      }
    };

    // Scheduler: start every step whose upstream steps (in the selection) succeeded, up to the limit.
    const limit = Math.max(1, options.concurrency ?? 2);
    const running = new Map<string, Promise<void>>();
    for (;;) {
      for (const [index, step] of steps.entries()) {
        const stepRecord = records[index]!;
        if (stepRecord.status !== 'pending' || running.size >= limit) continue;
        const upstream = step.upstream.filter((name) => selected.has(name)).map((name) => records.find((other) => other.name === name)!);
        if (upstream.some((up) => up.status === 'failed' || up.status === 'skipped')) {
          stepRecord.status = 'skipped';
          stepRecord.error = `not run: upstream step ${upstream.find((up) => up.status === 'failed' || up.status === 'skipped')!.name} did not succeed`;
          emit(stepRecord);
          continue;
        }
        if (upstream.every((up) => up.status === 'succeeded')) running.set(step.name, runStep(step, index).finally(() => running.delete(step.name)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }

    await recordWrite;
    if (!failure) {
      partition.committedVersion = await commitWindow(workspace, layout, base, pipeline, loads, staging, runId, window.date);
    }
  } catch (error) {
    failure ??= stepError(error, `pipeline ${pipeline.name}`);
  } finally {
    engine.close();
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
  partition.seconds = (performance.now() - started) / 1000;
  if (failure) {
    partition.status = 'failed';
    partition.error = { code: failure.code, message: failure.message, ...(failedStep ? { step: failedStep } : {}) };
    (partition.error as { hint?: string }).hint = failure.hint;
  } else partition.status = 'succeeded';
  return partition;
}

/** Publishes the staged files (fsync, rename) and commits one snapshot with the tables' definitions and watermarks. */
async function commitWindow(workspace: Workspace, layout: LakeLayout, base: Snapshot, pipeline: PipelinePlan, loads: { step: StepPlan; staged: StagedLoad }[], staging: string, runId: string, date: string | null): Promise<number> {
  const add: Omit<DataFile, 'addedIn'>[] = [];
  for (const { staged } of loads) {
    for (const file of staged.files) {
      await fsyncFile(file.file);
      const partitionDir = Object.entries(file.partition).map(([key, value]) => `${key}=${value}`);
      const target = path.join(layout.tableDir(staged.table), ...partitionDir, path.basename(file.file));
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(file.file, target);
      await fsyncDir(path.dirname(target));
      add.push({ table: staged.table, path: layout.relative(target), rows: file.rows, bytes: file.bytes, partition: file.partition });
    }
  }
  const define: DerivedTable[] = loads.map(({ step, staged }) => ({
    name: staged.table, kind: 'warehouse', owner: `${pipeline.name}.${step.name}`, columns: staged.columns.map((column) => ({ ...column, description: column.description || `from pipeline ${pipeline.name}, step ${step.name}` })),
    ...(staged.partitionColumn ? { partitionColumn: staged.partitionColumn } : {}),
  }));
  const baseFiles = new Set(base.files.map((file) => file.path));
  const rewritten = new Set(loads.filter(({ step }) => step.definition.load!.mode !== 'append' && !(step.definition.load!.mode === 'incremental' && !step.definition.load!.key)).map(({ staged }) => staged.table));
  const watermarkKeys = loads.filter(({ staged }) => staged.watermark !== undefined);
  const baseWatermarks = (base.sources.etl ?? {}) as Record<string, { watermark: string | null }>;
  const committed = await replaceFiles(layout, {
    operation: 'etl',
    remove: loads.flatMap(({ staged }) => staged.remove),
    add,
    define,
    details: { pipeline: pipeline.name, run: runId, date, tables: loads.map(({ staged }) => staged.table), staging: path.basename(staging) },
    verify: (parent) => {
      // Another run committed to a table this run rewrote (or moved a watermark it read): applying
      // this one on top would lose or double rows.
      const raced = parent.files.find((file) => rewritten.has(file.table) && !baseFiles.has(file.path));
      const parentWatermarks = (parent.sources.etl ?? {}) as Record<string, { watermark: string | null }>;
      const movedWatermark = watermarkKeys.find(({ step }) => (parentWatermarks[`${pipeline.name}.${step.name}`]?.watermark ?? null) !== (baseWatermarks[`${pipeline.name}.${step.name}`]?.watermark ?? null));
      if (raced || movedWatermark) {
        throw new UserError('LAKE_BUSY', `pipeline ${pipeline.name}: another run changed ${raced ? raced.table : `the watermark of step ${movedWatermark!.step.name}`} while this one ran; nothing was committed.`, { hint: 'Run it again; it starts from the new state.' });
      }
    },
    sources: (sources) => {
      if (watermarkKeys.length === 0) return sources;
      const etl = { ...((sources.etl ?? {}) as Record<string, unknown>) };
      for (const { step, staged } of watermarkKeys) etl[`${pipeline.name}.${step.name}`] = { watermark: staged.watermark, run: runId };
      return { ...sources, etl };
    },
  });
  return committed.version;
}
