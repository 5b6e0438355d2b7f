/**
 * Runs each attempt of a job as its own process: `node bin/run.js <argv> --workspace <root>`,
 * with stdout and stderr appended to the run's log file. The child leads a process group of its
 * own, so a timeout or a shutdown stops everything it started (SIGTERM to the group, SIGKILL
 * after `killGraceMs`), and a Ctrl-C in the scheduler's terminal does not reach it directly.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { joinCommandLine } from './command-line.js';
import type { JobLauncher, LaunchOutcome } from './run-job.js';

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ProcessLauncherOptions {
  workspaceRoot: string;
  /** The analytics entry point (default: this package's bin/run.js). */
  binPath?: string;
  /** How long a stopped job may take to exit after SIGTERM before SIGKILL (default 5 s). */
  killGraceMs?: number;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

export function processLauncher(options: ProcessLauncherOptions): JobLauncher {
  const binPath = options.binPath ?? path.join(PACKAGE_ROOT, 'bin', 'run.js');
  const killGraceMs = options.killGraceMs ?? 5_000;
  return async ({ job, attempt, maxAttempts, logFile, kill, onSpawn }) => {
    await fs.mkdir(path.dirname(logFile), { recursive: true });
    await fs.appendFile(logFile, `--- ${new Date().toISOString()} attempt ${attempt} of ${maxAttempts}: analytics ${joinCommandLine(job.argv)}\n`);
    const child = execa(process.execPath, [binPath, ...job.argv, '--workspace', options.workspaceRoot], {
      cwd: options.workspaceRoot,
      detached: true,
      stdin: 'ignore',
      stdout: { file: logFile, append: true },
      stderr: { file: logFile, append: true },
      reject: false,
    });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let timedOut = false;
    let cancelled = false;
    let escalation: NodeJS.Timeout | undefined;
    const stopGroup = () => {
      if (child.pid === undefined || escalation !== undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      escalation = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), killGraceMs);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, job.timeoutMs);
    const onKill = () => {
      cancelled = true;
      stopGroup();
    };
    kill.addEventListener('abort', onKill, { once: true });
    if (kill.aborted) onKill();
    const result = await child;
    clearTimeout(timer);
    kill.removeEventListener('abort', onKill);
    if (escalation !== undefined) {
      clearTimeout(escalation);
      // Whatever the job started and left behind goes with it.
      signalGroup(child.pid!, 'SIGKILL');
    }
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
    const signal = result.signal ?? null;
    const spawnError = exitCode === null && signal === null ? result.shortMessage : undefined;
    const ending = timedOut
      ? `timed out after ${job.timeoutMs / 1000} s`
      : cancelled ? 'stopped: the scheduler shut down' : signal !== null ? `ended by ${signal}` : spawnError ?? `exit code ${exitCode}`;
    await fs.appendFile(logFile, `--- ${new Date().toISOString()} attempt ${attempt} of ${maxAttempts}: ${ending}\n`);
    const outcome: LaunchOutcome = { exitCode, signal, timedOut, cancelled };
    return spawnError === undefined ? outcome : { ...outcome, error: spawnError };
  };
}
