/**
 * Runs the declared checks against the newest lake snapshot. Each result carries its failing
 * row count and a capped sample. A check that cannot run (a typo in a column) is an `error`
 * result, not a crash, so the other checks still report.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { assertReadOnly, openLakeReader } from '../analytics/query.js';
import { loadConfigFile } from '../config/load.js';
import type { Row } from '../duckdb/engine.js';
import { ident } from '../duckdb/sql.js';
import { UserError } from '../errors.js';
import { replaceAtomically } from '../lake/durable-fs.js';
import type { Workspace } from '../workspace/workspace.js';
import { compileCheck } from './compile.js';
import { pipelinesFileSchema } from '../etl/schema.js';
import type { CheckDefinition } from './schema.js';

export const PIPELINES_FILE = 'pipelines.yaml';

export interface CheckResult {
  name: string;
  table: string | null;
  type: CheckDefinition['type'];
  severity: 'error' | 'warn';
  /** `skipped`: the check reads a warehouse table that no `etl run` has built yet. */
  status: 'pass' | 'fail' | 'error' | 'skipped';
  failingRows: number;
  sample: Row[];
  message: string;
  sql: string;
  seconds: number;
}

export interface CheckRun {
  snapshotVersion: number;
  results: CheckResult[];
  passed: number;
  failed: number;
  warned: number;
  errored: number;
  /** Checks of warehouse tables not built yet. */
  skipped: number;
  /** True when an error-severity check failed or could not run. */
  failedBuild: boolean;
  seconds: number;
}

interface CheckState {
  at: string;
  rows: Record<string, number>;
}

export async function loadChecks(workspace: Workspace): Promise<CheckDefinition[]> {
  return (await loadPipelinesFile(workspace)).checks;
}

async function loadPipelinesFile(workspace: Workspace) {
  const file = workspace.resolve(PIPELINES_FILE);
  if (!existsSync(file)) return { version: 1 as const, pipelines: [], checks: [] };
  return loadConfigFile(file, pipelinesFileSchema);
}

/** Tables a check reads that it names (the table, and the referenced table of a relationship). */
function tablesNamed(check: CheckDefinition): string[] {
  return [check.table, check.type === 'relationships' ? check.to.table : undefined].filter((table): table is string => table !== undefined);
}

export async function runChecks(workspace: Workspace, options: { select?: readonly string[]; sampleRows?: number } = {}): Promise<CheckRun> {
  const started = performance.now();
  const config = await loadPipelinesFile(workspace);
  const all = config.checks;
  const warehouseTables = new Set(config.pipelines.flatMap((pipeline) => pipeline.steps.flatMap((step) => (step.load ? [step.load.table] : []))));
  const compiledNames = all.map((check) => compileCheck(check).name);
  const duplicate = compiledNames.find((name, index) => compiledNames.indexOf(name) !== index);
  if (duplicate) {
    throw new UserError('CONFIG_INVALID', `${workspace.resolve(PIPELINES_FILE)}: two checks are named "${duplicate}".`, { hint: 'Give one of them a `name:` of its own.' });
  }
  const unknown = (options.select ?? []).filter((name) => !compiledNames.includes(name));
  if (unknown.length > 0) {
    throw new UserError('BAD_ARGUMENT', `No check named ${unknown.join(', ')}.`, { hint: `Checks: ${compiledNames.join(', ') || '(none declared in pipelines.yaml)'}` });
  }
  const selected = all.filter((check) => !options.select?.length || options.select.includes(compileCheck(check).name));
  const statePath = path.join(workspace.root, '.analytics', 'check-state.json');
  const previous: CheckState | undefined = existsSync(statePath) ? (JSON.parse(await fs.readFile(statePath, 'utf8')) as CheckState) : undefined;
  const { engine, snapshotVersion } = await openLakeReader(workspace);
  const results: CheckResult[] = [];
  const rowsNow: Record<string, number> = { ...(previous?.rows ?? {}) };
  try {
    const views = new Set((await engine.rows<{ name: string }>('SELECT view_name AS name FROM duckdb_views() WHERE NOT internal')).map((row) => row.name));
    for (const check of selected) {
      const checkStarted = performance.now();
      const compiled = compileCheck(check, check.table ? previous?.rows[check.table] : undefined);
      const result: CheckResult = { name: compiled.name, table: compiled.table, type: compiled.type, severity: compiled.severity, status: 'pass', failingRows: 0, sample: [], message: '', sql: compiled.failingSql, seconds: 0 };
      const notBuilt = tablesNamed(check).filter((table) => warehouseTables.has(table) && !views.has(table));
      if (notBuilt.length > 0) {
        results.push({ ...result, status: 'skipped', message: `${notBuilt.join(', ')} not built yet (analytics etl run)` });
        continue;
      }
      try {
        if (check.type === 'sql') await assertReadOnly(engine, compiled.failingSql);
        const [quick] = compiled.quickSql ? await engine.rows<{ n: number }>(compiled.quickSql) : [undefined];
        const [count] = quick && Number(quick.n) === 0 ? [{ n: 0 }] : await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM (${compiled.failingSql})`);
        result.failingRows = Number(count?.n ?? 0);
        if (result.failingRows > 0) {
          result.status = 'fail';
          result.sample = await engine.rows(`SELECT * FROM (${compiled.failingSql}) LIMIT ${options.sampleRows ?? 10}`);
          result.message = `${result.failingRows} failing row${result.failingRows === 1 ? '' : 's'}`;
        }
        if (check.type === 'volume_change' && check.table) {
          const [rows] = await engine.rows<{ n: number }>(`SELECT count(*) AS n FROM ${ident(check.table)}`);
          rowsNow[check.table] = Number(rows?.n ?? 0);
        }
      } catch (error) {
        result.status = 'error';
        result.message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';
      }
      result.seconds = (performance.now() - checkStarted) / 1000;
      results.push(result);
    }
  } finally {
    engine.close();
  }
  if (selected.some((check) => check.type === 'volume_change')) {
    await fs.mkdir(path.dirname(statePath), { recursive: true });
    await replaceAtomically(statePath, JSON.stringify({ at: new Date().toISOString(), rows: rowsNow } satisfies CheckState));
  }
  const failing = (result: CheckResult) => result.status === 'fail' || result.status === 'error';
  return {
    snapshotVersion,
    results,
    passed: results.filter((result) => result.status === 'pass').length,
    skipped: results.filter((result) => result.status === 'skipped').length,
    failed: results.filter((result) => result.status === 'fail' && result.severity === 'error').length,
    warned: results.filter((result) => failing(result) && result.severity === 'warn').length,
    errored: results.filter((result) => result.status === 'error' && result.severity === 'error').length,
    failedBuild: results.some((result) => failing(result) && result.severity === 'error'),
    seconds: (performance.now() - started) / 1000,
  };
}
