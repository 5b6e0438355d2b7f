import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';
import { workspaceSchema } from '../../../src/config/workspace-schema.js';
import { splitCommandLine } from '../../../src/scheduler/command-line.js';
import { scheduledJobs } from '../../../src/scheduler/jobs.js';
import { workspaceConfigTemplate } from '../../../src/workspace/init.js';

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'analytics.yaml', workspaceSchema);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('schedule: configuration', () => {
  it('reads jobs with defaults, durations and the default time zone', () => {
    const config = parseConfigText(`schedule:
  timezone: Europe/Berlin
  jobs:
    nightly_compact:
      cron: "30 2 * * *"
      command: lake compact --min-files 4
      timeout: 20m
      retries: 2
      backoff: 1.5s
    checks:
      cron: "0 */6 * * *"
      timezone: UTC
      command: [check, --junit, reports/checks.xml]
      catch_up: run_once
`, 'analytics.yaml', workspaceSchema);
    expect(scheduledJobs(config.schedule)).toEqual([
      expect.objectContaining({ name: 'nightly_compact', timezone: 'Europe/Berlin', argv: ['lake', 'compact', '--min-files', '4'], commandId: 'lake compact', timeoutMs: 1_200_000, retries: 2, backoffMs: 1_500, backoffMaxMs: 600_000, catchUp: 'skip', enabled: true }),
      expect.objectContaining({ name: 'checks', timezone: 'UTC', argv: ['check', '--junit', 'reports/checks.xml'], commandId: 'check', timeoutMs: 3_600_000, catchUp: 'run_once' }),
    ]);
    expect(config.schedule.shutdown_grace).toBe(30_000);
  });

  it('reports a bad cron expression, time zone, command and duration at their line, with the fix', () => {
    expect(problems(`name: demo
schedule:
  jobs:
    a:
      cron: "61 * * * *"
      command: lake infoo
    b:
      cron: "* * *"
      timezone: Europe/Berlinn
      command: chekc
      timeout: 10 minutes
    c:
      cron: "@hourly"
      command: check --workspace elsewhere
`)).toEqual([
      'analytics.yaml:5:13  schedule.jobs.a.cron: invalid cron expression "61 * * * *": Field value (61) is out of range (fields: [second] minute hour day-of-month month day-of-week; e.g. "0 */6 * * *")',
      'analytics.yaml:6:16  schedule.jobs.a.command: "lake infoo" is not an analytics command (lake has the commands: lake compact, lake info, lake retention, lake vacuum)',
      'analytics.yaml:8:13  schedule.jobs.b.cron: a cron expression has 5 or 6 fields, found 3 in "* * *" (write e.g. "30 2 * * *": minute hour day-of-month month day-of-week, or put seconds first)',
      'analytics.yaml:9:17  schedule.jobs.b.timezone: unknown time zone; use an IANA name such as UTC, Europe/Berlin or America/New_York',
      'analytics.yaml:10:16  schedule.jobs.b.command: "chekc" is not an analytics command (did you mean "check"? analytics --help lists the commands)',
      expect.stringMatching(/^analytics\.yaml:11:16 {2}schedule\.jobs\.b\.timeout: .*30s, 5m, 2h or 500ms/),
      'analytics.yaml:14:16  schedule.jobs.c.command: --workspace is set by the scheduler (remove it: a job always runs on the workspace of this analytics.yaml)',
    ]);
  });

  it('refuses a job that would start the scheduler, and a bad job name', () => {
    const lines = problems(`schedule:
  jobs:
    Nightly Job:
      cron: "* * * * *"
      command: lake info
    recursive:
      cron: "* * * * *"
      command: schedule start
`);
    expect(lines.join('\n')).toMatch(/schedule\.jobs\["Nightly Job"\].*lower-case letters/);
    expect(lines.join('\n')).toMatch(/command: (a job cannot run "schedule start"|"schedule" is not an analytics command)/);
  });

  it('splits command strings like a shell, with quotes', () => {
    expect(splitCommandLine(`query "SELECT 'a' AS x"  --format json`)).toEqual(['query', "SELECT 'a' AS x", '--format', 'json']);
    expect(splitCommandLine(`check --select ''`)).toEqual(['check', '--select', '']);
    expect(() => splitCommandLine('query "SELECT 1')).toThrow(/unclosed/);
  });

  it('the init template is valid and schedules nothing until its example is uncommented', () => {
    const config = parseConfigText(workspaceConfigTemplate('demo'), 'analytics.yaml', workspaceSchema);
    expect(config.schedule.jobs).toEqual({});
    // Uncomment the block from `# schedule:` to the next blank line.
    let inBlock = false;
    const uncommented = workspaceConfigTemplate('demo').split('\n').map((line) => {
      if (line.startsWith('# schedule:')) inBlock = true;
      if (line.trim() === '') inBlock = false;
      return inBlock ? line.slice(2) : line;
    }).join('\n');
    expect(Object.keys(parseConfigText(uncommented, 'analytics.yaml', workspaceSchema).schedule.jobs)).toEqual(['nightly_compact', 'checks']);
  });
});
