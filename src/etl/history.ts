/**
 * Run records: one JSON file per pipeline run in `<workspace>/.analytics/etl/runs/`, replaced
 * atomically at each change, so any number of concurrent runs (and `etl history` reading them)
 * never see a half-written record or each other's.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replaceAtomically } from '../lake/durable-fs.js';
import type { Workspace } from '../workspace/workspace.js';

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  name: string;
  status: StepStatus;
  /** Rows of the step's inputs: upstream steps' results plus lake tables (their files in the window). */
  rowsIn: number;
  rowsOut: number;
  /** Warehouse table written and its rows after the load. */
  table?: string;
  tableRows?: number;
  seconds: number;
  error?: string;
  checks?: { name: string; status: 'pass' | 'fail' | 'error'; severity: 'error' | 'warn'; failingRows: number; message: string }[];
}

export interface PartitionRecord {
  /** The run date, or null for an undated (full) run. */
  date: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  /** Lake version the run read. */
  inputVersion: number;
  /** Lake version it committed. */
  committedVersion?: number;
  seconds: number;
  steps: StepRecord[];
  error?: { code: string; message: string; step?: string };
}

export interface RunRecord {
  id: string;
  pipeline: string;
  status: 'running' | 'succeeded' | 'failed';
  user: string;
  host: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  /** What was asked: dates and step selection. */
  window: { date?: string; from?: string; to?: string };
  select?: string[];
  /** A backfill that took up an earlier, unfinished run of the same range. */
  resumedFrom?: string;
  partitions: PartitionRecord[];
  error?: { code: string; message: string; step?: string };
}

export function runsDir(workspace: Workspace): string {
  return path.join(workspace.root, '.analytics', 'etl', 'runs');
}

export function newRunRecord(id: string, pipeline: string, window: RunRecord['window'], select: readonly string[] | undefined): RunRecord {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the record says unknown.
  }
  return { id, pipeline, status: 'running', user, host: os.hostname(), pid: process.pid, startedAt: new Date().toISOString(), window, ...(select?.length ? { select: [...select] } : {}), partitions: [] };
}

export async function writeRunRecord(workspace: Workspace, record: RunRecord): Promise<void> {
  const dir = runsDir(workspace);
  await fs.mkdir(dir, { recursive: true });
  await replaceAtomically(path.join(dir, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run still marked running whose process is gone on this host was killed. */
export function effectiveStatus(record: RunRecord): RunRecord['status'] | 'killed' {
  if (record.status === 'running' && record.host === os.hostname() && !alive(record.pid)) return 'killed';
  return record.status;
}

/** Every run record, newest first; unreadable files are skipped (a record is replaced atomically, so only manual damage does that). */
export async function readRunRecords(workspace: Workspace, options: { pipeline?: string; limit?: number } = {}): Promise<RunRecord[]> {
  const dir = runsDir(workspace);
  if (!existsSync(dir)) return [];
  const names = (await fs.readdir(dir)).filter((name) => name.endsWith('.json'));
  const records: RunRecord[] = [];
  for (const name of names) {
    try {
      records.push(JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as RunRecord);
    } catch {
      continue;
    }
  }
  return records
    .filter((record) => !options.pipeline || record.pipeline === options.pipeline)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
}
