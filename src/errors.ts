/**
 * Two kinds of error (see docs/errors.md):
 * - UserError: the user can fix it. Exits 1 with one line (what, where) and a hint (how to fix).
 * - anything else is a bug: exits 2, with the stack shown only under --debug.
 */

/** Every user-facing error code, listed once; docs/errors.md is generated from this table. */
export const ERROR_CODES = {
  WORKSPACE_NOT_FOUND: 'No workspace config found in this directory or any parent.',
  WORKSPACE_EXISTS: 'The target directory already holds a workspace.',
  CONFIG_INVALID: 'A configuration file does not match its schema.',
  CONFIG_YAML: 'A configuration file is not valid YAML.',
  CONFIG_ENV_MISSING: 'A ${VAR} reference names an environment variable that is not set.',
  INPUT_NOT_FOUND: 'An input path or glob matched no file.',
  INPUT_UNREADABLE: 'An input file cannot be read in the format it claims.',
  INPUT_FORMAT: 'The input format cannot be determined or is not supported.',
  TOO_MANY_REJECTS: 'More records were rejected than --max-errors allows.',
  QUERY_FAILED: 'DuckDB could not run the SQL.',
  QUERY_FORBIDDEN: 'The SQL would change data; queries are read-only.',
  LAKE_BUSY: 'Another process holds the lake commit lock for too long.',
  LAKE_CORRUPT: 'A lake snapshot or data file is damaged.',
  DISK_FULL: 'The disk (or DuckDB\'s spill space) ran out during a write; nothing was committed.',
  OUT_OF_MEMORY: 'DuckDB needed more memory than its limit (engine.memory_limit) allows for a step; nothing was committed.',
  BAD_ARGUMENT: 'A flag or argument has a value the command cannot use.',
  KAFKA_AUTH: 'The Kafka cluster refused the credentials (SASL) or the client is not authorised for a topic or group.',
  KAFKA_TOPIC: 'A Kafka topic does not exist and cannot be created.',
  KAFKA_UNREACHABLE: 'No Kafka broker answered a command that does not wait for one (the ingest daemon keeps retrying instead).',
  ETL_STEP_FAILED: 'A pipeline step failed (SQL error, missing file, duplicate merge key, failed data check); the run committed nothing.',
  DAEMON_NOT_RUNNING: 'No Kafka ingest daemon answers on the metrics port.',
  SCHEDULE_JOB_UNKNOWN: 'No job of that name in the schedule section of analytics.yaml.',
  SCHEDULE_JOB_BUSY: 'The job is running already (in the scheduler or another `schedule run`); one run of a job at a time.',
  SCHEDULE_RUN_FAILED: 'A job run by `schedule run` did not succeed (failed, timed out or was cancelled).',
  SCHEDULER_RUNNING: 'Another scheduler already runs on this workspace.',
  NOT_A_TERMINAL: 'An interactive command was started without a terminal (stdin or stdout is not a TTY).',
  FEED_NOT_RUNNING: 'No live feed of stream results is running for this workspace (it is served by `analytics ingest kafka` when streams.yaml declares jobs).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class UserError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Exit code: 1 unless a command has a reason to use another (never 2, which means a bug). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/**
 * Turns an out-of-space or out-of-memory failure from any layer into a DISK_FULL or OUT_OF_MEMORY
 * user error (not, for example, "the file cannot be read"); others pass through.
 */
export function diskFullOr(error: unknown, what: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/No space left on device|ENOSPC|failed to offload data block/i.test(message)) {
    return new UserError('DISK_FULL', `${what}: the disk ran out of space (${message.split('\n')[0]}).`, {
      hint: 'Nothing from this batch was committed. Free space on the workspace disk (lake/_staging holds temporary files) and run it again.',
    });
  }
  if (/^Out of Memory Error/i.test(message)) {
    return new UserError('OUT_OF_MEMORY', `${what}: DuckDB ran out of its memory limit (${message.split('\n')[0]}).`, {
      hint: 'Nothing from this batch was committed. Raise engine.memory_limit in analytics.yaml (or set ANALYTICS_DUCKDB_MEMORY, e.g. 1GB) and run it again.',
    });
  }
  return error;
}

/** A short message from anything thrown, for logs. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
