/**
 * The `etl_runs` view: pipeline run records (`.analytics/etl/runs/*.json`, see history.ts) as a
 * table next to the lake's, so the operational metrics (pipeline runs, failures, duration) are
 * defined in metrics.yaml like any other and `analytics query` can read them.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../duckdb/engine.js';
import { literal } from '../duckdb/sql.js';
import type { ColumnSpec } from '../lake/tables.js';
import type { Workspace } from '../workspace/workspace.js';
import { runsDir } from './history.js';

export const RUN_HISTORY_VIEW = 'etl_runs';

export const RUN_HISTORY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', sqlType: 'VARCHAR', description: 'Run id.' },
  { name: 'pipeline', sqlType: 'VARCHAR', description: 'Pipeline name.' },
  { name: 'status', sqlType: 'VARCHAR', description: '`running`, `succeeded` or `failed` (a killed run stays `running`; `etl history` shows it as killed).' },
  { name: 'user', sqlType: 'VARCHAR', description: 'Who ran it (OS user).' },
  { name: 'started_at', sqlType: 'TIMESTAMPTZ', description: 'When it started.' },
  { name: 'finished_at', sqlType: 'TIMESTAMPTZ', description: 'When it ended, if it did.' },
  { name: 'seconds', sqlType: 'DOUBLE', description: 'Duration in seconds, if it ended.' },
  { name: 'partitions', sqlType: 'BIGINT', description: 'Date partitions the run covered.' },
  { name: 'error_code', sqlType: 'VARCHAR', description: 'Error code of a failed run.' },
  { name: 'error_step', sqlType: 'VARCHAR', description: 'Step that failed, when one did.' },
];

async function recordFiles(workspace: Workspace): Promise<string[]> {
  const dir = runsDir(workspace);
  if (!existsSync(dir)) return [];
  return (await fs.readdir(dir)).filter((name) => name.endsWith('.json')).sort().map((name) => path.join(dir, name));
}

/**
 * A token that changes whenever a run record is added or replaced (records are replaced by
 * rename, which updates the folder's mtime): part of the metrics cache key for metrics over
 * `etl_runs`, whose answers change without a new lake version when a run fails.
 */
export async function runHistoryVersion(workspace: Workspace): Promise<string> {
  const dir = runsDir(workspace);
  if (!existsSync(dir)) return 'none';
  const stat = await fs.stat(dir);
  return `${stat.mtimeMs}:${(await fs.readdir(dir)).length}`;
}

/** Creates (or replaces) the `etl_runs` view over the workspace's run records. */
export async function createRunHistoryView(engine: Engine, workspace: Workspace): Promise<void> {
  const files = await recordFiles(workspace);
  const typed = RUN_HISTORY_COLUMNS.map((column) => `NULL::${column.sqlType} AS "${column.name}"`).join(', ');
  if (files.length === 0) {
    await engine.run(`CREATE OR REPLACE VIEW ${RUN_HISTORY_VIEW} AS SELECT ${typed} WHERE false`);
    return;
  }
  const list = `[${files.map(literal).join(', ')}]`;
  // Explicit columns: records written by older versions may lack a field; nothing is inferred.
  await engine.run(`CREATE OR REPLACE VIEW ${RUN_HISTORY_VIEW} AS
    SELECT id, pipeline, status, "user", startedAt::TIMESTAMPTZ AS started_at, finishedAt::TIMESTAMPTZ AS finished_at,
           seconds, coalesce(len(partitions), 0)::BIGINT AS partitions, error->>'code' AS error_code, error->>'step' AS error_step
    FROM read_json(${list}, format = 'auto', columns = {id: 'VARCHAR', pipeline: 'VARCHAR', status: 'VARCHAR', "user": 'VARCHAR',
      startedAt: 'VARCHAR', finishedAt: 'VARCHAR', seconds: 'DOUBLE', partitions: 'JSON[]', error: 'JSON'})`);
}
