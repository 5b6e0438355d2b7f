/**
 * A crash inside the live dashboard leaves the terminal as it was: the real command in tmux,
 * made to crash on purpose (ANALYTICS_DASHBOARD_TEST_CRASH) in a React render and in a timer
 * outside React. Either way it leaves the alternate screen, shows the cursor again, prints one
 * "Internal error" message without a stack trace, and exits 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeWorkspace, removeTempDirs } from '../support/cli.js';
import { TmuxSession } from '../support/tmux.js';

const terminal = new TmuxSession(`analytics-dash-crash-${process.pid}`);
const SIZE = { columns: 160, rows: 50 };

describe('analytics dashboard: a crash restores the terminal', () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await makeWorkspace({ streams: true });
  });

  afterAll(async () => {
    await terminal.stop();
    await removeTempDirs();
  });

  for (const where of ['render', 'timer'] as const) {
    it(`a crash in a ${where === 'render' ? 'React render' : 'timer'}: alternate screen left, cursor shown, one "Internal error", exit 2`, async () => {
      // Given the live dashboard, told to crash 6 s after it starts (time enough to see it first on a busy machine)
      await terminal.start(`cd ${workspace} && ANALYTICS_DASHBOARD_TEST_CRASH=${where}:6000 node ${CLI} dashboard; echo "DASHBOARD-EXIT=$?"; sleep 120`, SIZE);
      await terminal.screenUntil((text) => text.includes('Payments — live') && text.includes('Platform status'), 'the dashboard');
      expect(await terminal.display('#{alternate_on} #{cursor_flag}')).toBe('1 0');

      // When it crashes
      const screen = await terminal.screenUntil((text) => text.includes('DASHBOARD-EXIT='), 'the exit after the crash');

      // Then the terminal is back as it was, with one clear message and exit code 2
      expect(screen).toContain('DASHBOARD-EXIT=2');
      expect(await terminal.display('#{alternate_on} #{cursor_flag}')).toBe('0 1');
      expect(screen).not.toContain('Payments — live');
      expect(screen.match(/Internal error/g)).toHaveLength(1);
      expect(screen).toContain(`Internal error: test crash in a ${where} (ANALYTICS_DASHBOARD_TEST_CRASH)`);
      expect(screen).toContain('Run again with --debug for the stack trace');
      expect(screen).not.toMatch(/^\s+at /m);
    }, 90_000);
  }
});
