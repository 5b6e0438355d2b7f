/**
 * The `schedule:` section of analytics.yaml: jobs that `analytics schedule start` runs on cron
 * expressions. Each job's cron expression, time zone and command are checked when the file is
 * loaded, so a typo is a `file:line` problem and not a job that silently never runs.
 */
import { validateCronExpression } from 'cron';
import { z } from 'zod';
import { resolveJobCommand, splitCommandLine } from '../scheduler/command-line.js';
import { knownCommands } from '../scheduler/known-commands.js';

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** A duration written as `90s`, `5m`, `1.5h`, `500ms`, `1d`, or a number of seconds; parsed to milliseconds. */
export function durationSchema(description: string) {
  return z
    .union([
      z.number().nonnegative(),
      z.string().regex(DURATION, 'use a duration such as 30s, 5m, 2h or 500ms'),
    ])
    .transform((value) => {
      if (typeof value === 'number') return Math.round(value * 1_000);
      const [, amount, unit] = DURATION.exec(value)!;
      return Math.round(Number(amount) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS]);
    })
    .describe(`${description} A duration: 90s, 5m, 2h, 500ms, 1d, or a number of seconds.`);
}

/** True when `name` is an IANA time zone this Node.js knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timeZoneSchema = z.string().min(1).refine(isTimeZone, { message: 'unknown time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York' });

export const CATCH_UP_POLICIES = ['skip', 'run_once'] as const;

export const scheduleJobSchema = z
  .object({
    cron: z
      .string()
      .min(1)
      .describe('When to run: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. "30 2 * * *" (02:30 daily) or "*/10 * * * * *" (every 10 seconds).'),
    command: z
      .union([z.string().min(1), z.array(z.union([z.string(), z.number()]).transform(String)).min(1)])
      .describe('The analytics command to run, without `analytics`: a string ("lake compact --min-files 4") or a list ([check, --junit, reports/checks.xml]). --workspace is added by the scheduler.'),
    description: z.string().default('').describe('What the job is for (in `schedule list --format json`).'),
    timezone: timeZoneSchema.optional().describe('IANA time zone of the cron expression (default: schedule.timezone).'),
    timeout: durationSchema('Longest run of one attempt, e.g. 30m; the job\'s process group is then stopped (SIGTERM, then SIGKILL) and the attempt counts as timed out.').prefault('1h'),
    retries: z.number().int().min(0).max(20).default(0).describe('Attempts after a failed or timed-out one.'),
    backoff: durationSchema('Wait before the first retry; each further retry waits twice as long, up to backoff_max.').prefault('30s'),
    backoff_max: durationSchema('Longest wait between two attempts.').prefault('10m'),
    catch_up: z
      .enum(CATCH_UP_POLICIES)
      .default('skip')
      .describe('Runs missed while the scheduler was not running: skip (record them as skipped) or run_once (run the job once at start-up).'),
    enabled: z.boolean().default(true).describe('false keeps the job in the file but never runs it on its schedule (`schedule run` still can).'),
  })
  .strict()
  .superRefine((job, context) => {
    const fields = job.cron.trim().split(/\s+/);
    const validation = validateCronExpression(job.cron);
    if (!job.cron.trim().startsWith('@') && (fields.length < 5 || fields.length > 6)) {
      context.addIssue({ code: 'custom', path: ['cron'], message: `a cron expression has 5 or 6 fields, found ${fields.length} in "${job.cron}" (write e.g. "30 2 * * *": minute hour day-of-month month day-of-week, or put seconds first)` });
    } else if (!validation.valid) {
      context.addIssue({ code: 'custom', path: ['cron'], message: `invalid cron expression "${job.cron}": ${validation.error?.message ?? 'not understood'} (fields: [second] minute hour day-of-month month day-of-week; e.g. "0 */6 * * *")` });
    }
    let argv: string[];
    try {
      argv = typeof job.command === 'string' ? splitCommandLine(job.command) : job.command;
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['command'], message: `${(error as Error).message} (close the quote, or write the command as a YAML list)` });
      return;
    }
    const resolution = resolveJobCommand(argv, knownCommands());
    if (!resolution.ok) context.addIssue({ code: 'custom', path: ['command'], message: `${resolution.message} (${resolution.hint})` });
  });

export const scheduleSchema = z
  .object({
    timezone: timeZoneSchema.default('UTC').describe('Default IANA time zone of the jobs\' cron expressions.'),
    shutdown_grace: durationSchema('On SIGTERM or SIGINT, how long running jobs may go on before they are stopped.').prefault('30s'),
    keep_runs: z.number().int().positive().default(500).describe('Run records (and logs) kept per job; older ones are deleted.'),
    jobs: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, _ and -, e.g. nightly_compact'), scheduleJobSchema)
      .default({})
      .describe('Jobs by name.'),
  })
  .strict();

export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type ScheduleJobConfig = z.output<typeof scheduleJobSchema>;
