/**
 * The one door to the process environment. Every variable the tool reads is named here, so
 * `docs/configuration.md` can list them and nothing reads `process.env` behind our back.
 */
export const ENV_VARS = {
  ANALYTICS_WORKSPACE: 'Workspace directory; overrides the search from the current directory.',
  ANALYTICS_LOG_FORMAT: 'Log format on stderr: `text` or `json` (default: text on a terminal, json otherwise).',
  ANALYTICS_DUCKDB_THREADS: 'DuckDB worker threads (default: number of CPUs; for the Kafka daemon, CPUs ÷ 2, as it validates two batches at once).',
  ANALYTICS_DUCKDB_MEMORY: 'DuckDB memory limit, e.g. `512MB` (default: workspace setting).',
  ANALYTICS_LAKE_LOCK_WAIT: 'How long a writer waits for another one\'s lake commit before it fails with LAKE_BUSY, as `30s`, `2m` (default `10m`); the Kafka daemon then retries the batch.',
  ANALYTICS_STREAM_SLICE_EVENTS: 'Events the stream jobs advance at once: a larger batch (a whole file is one) is read in slices of event time (default 50000, a full Kafka batch); smaller holds less memory.',
  ANALYTICS_ETL_TEST_PAUSE: 'Tests only: `<step>[@<date>]:<ms>` makes `etl run` wait that long after the step finishes (to kill a run mid-way).',
  ANALYTICS_DASHBOARD_TEST_CRASH: 'Tests only: `render:<ms>` or `timer:<ms>` makes the live dashboard crash that long after it starts (in a React render, or in a timer outside React), to test that the terminal is restored.',
  NO_COLOR: 'Disable colours (any value).',
} as const;

export type KnownEnvVar = keyof typeof ENV_VARS;

/** Reads a known variable. Empty strings count as unset. */
export function readEnv(name: KnownEnvVar): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads any variable named by configuration (`${VAR}` interpolation): the secrets path. */
export function readConfigEnv(name: string): string | undefined {
  return process.env[name];
}

/**
 * Makes React (the dashboard's Ink UI) load its production build, which renders several times
 * faster than the development build it picks when NODE_ENV is unset. Call before importing it.
 */
export function preferProductionBuilds(): void {
  process.env.NODE_ENV ??= 'production';
}

/**
 * Lets Ink draw live frames on an interactive terminal. Ink reads `CI` and
 * `CONTINUOUS_INTEGRATION` once, when it is imported (the is-in-ci package), and then writes
 * only the last frame, on exit: a live dashboard started in a terminal by a shell with `CI=true`
 * (CI runners, some cloud IDEs) showed a blank screen until it quit. The caller has checked
 * that stdin and stdout are terminals. Call before importing Ink; the variables are removed from
 * this process only.
 */
export function renderLiveFramesOnTerminal(): void {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
}
