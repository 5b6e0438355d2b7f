/** Expectations shared by the end-to-end tests: the error policy as a user sees it. */
import { expect } from 'vitest';
import { messageLines, type CliResult } from './cli.js';

/** A stack frame line, as Node prints them. */
export const STACK_TRACE = /\n\s+at /;

/**
 * A user error as docs/errors.md promises it: exit 1, exactly one `Error:` line matching every
 * pattern, one `Hint:` line, nothing else for a person to read (log records aside), no stack.
 */
export function expectUserError(result: CliResult, ...patterns: RegExp[]): void {
  expect(result.stderr).not.toMatch(STACK_TRACE);
  expect(result.stderr).not.toMatch(/Internal error/);
  expect(result.exitCode, result.stderr).toBe(1);
  const lines = messageLines(result.stderr);
  const errors = lines.filter((line) => line.startsWith('Error: '));
  const hints = lines.filter((line) => line.startsWith('Hint: '));
  expect(errors, result.stderr).toHaveLength(1);
  expect(hints, result.stderr).toHaveLength(1);
  expect(lines, result.stderr).toHaveLength(2);
  for (const pattern of patterns) expect(errors[0]).toMatch(pattern);
}
