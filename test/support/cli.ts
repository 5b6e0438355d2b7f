/**
 * Runs the real CLI (`bin/run.js` over the built `dist/`) as a child process, the way a user or
 * a script would. End-to-end tests assume `dist/` is current: `npm test` builds first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'bin', 'run.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Written to the process's standard input (closed after). */
  input?: string | Buffer;
  /** Added to the environment (after the defaults, so they can be overridden). */
  env?: Record<string, string>;
}

/**
 * The environment of every run: the parent's, minus anything that would point the CLI at a
 * workspace or change its output, plus JSON logs and no colour.
 */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('ANALYTICS_') || key === 'FORCE_COLOR') continue;
    env[key] = value;
  }
  return { ...env, ANALYTICS_LOG_FORMAT: 'json', NO_COLOR: '1', ...extra };
}

/** Runs `analytics …args`; never throws on a non-zero exit. */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const result = await execa('node', [CLI, ...args], {
    cwd: options.cwd,
    reject: false,
    extendEnv: false,
    env: cliEnv(options.env),
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const tempDirs: string[] = [];

/** A fresh folder under the OS temp dir, removed by {@link removeTempDirs}. */
export async function makeTempDir(prefix = 'analytics-e2e-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * Creates a workspace with `analytics init` in a fresh temp folder and returns its path. The
 * scaffold's default stream jobs (streams.yaml) are removed unless `streams` is set.
 */
export async function makeWorkspace(options: { streams?: boolean } = {}): Promise<string> {
  const dir = await makeTempDir('analytics-ws-');
  const result = await runCli(['init', dir], { cwd: dir });
  if (result.exitCode !== 0) throw new Error(`analytics init failed (${result.exitCode}): ${result.stderr}`);
  if (!options.streams) await rm(path.join(dir, 'streams.yaml'));
  return dir;
}

/** Removes every folder made by this module; call it from afterAll. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Runs a query with `--format json` and returns its rows; fails loudly when the query fails. */
export async function queryRows<T = Record<string, unknown>>(workspace: string, sql: string): Promise<T[]> {
  const result = await runCli(['query', sql, '--format', 'json'], { cwd: workspace });
  if (result.exitCode !== 0) throw new Error(`query failed (${result.exitCode}): ${sql}\n${result.stderr}`);
  return JSON.parse(result.stdout) as T[];
}

export interface LakeCounts {
  transactions: number;
  fraud_detections: number;
  security_alerts: number;
  notifications: number;
  dead_letters: number;
}

/** Row counts of every lake table, in one query. */
export async function lakeCounts(workspace: string): Promise<LakeCounts> {
  const [row] = await queryRows<LakeCounts>(
    workspace,
    `SELECT (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM fraud_detections) AS fraud_detections,
      (SELECT count(*) FROM security_alerts) AS security_alerts, (SELECT count(*) FROM notifications) AS notifications,
      (SELECT count(*) FROM dead_letters) AS dead_letters`,
  );
  if (!row) throw new Error('lakeCounts: no row');
  return row;
}

/** The lines of stderr that are not JSON log records: what a person reads. */
export function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
}

/** Parses the JSON log records on stderr. */
export function logRecords(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
}
