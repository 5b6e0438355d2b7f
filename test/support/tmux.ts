/**
 * A real terminal for end-to-end tests: one tmux session on a tmux server of the test file's own
 * (`tmux -L`), so that test files running side by side never share, stop or reconfigure each
 * other's server, and no user configuration applies (`-f /dev/null`).
 */
import { rm } from 'node:fs/promises';
import { execa } from 'execa';

export class TmuxSession {
  private readonly socket: string;
  private started = 0;
  /** The current session; every start makes a new one. */
  private session: string;

  constructor(readonly name: string) {
    this.socket = `analytics-test-${process.pid}-${name}`;
    this.session = name;
  }

  /**
   * Runs `command` through the shell in a new detached session of `columns`×`rows`. The new
   * session starts before the previous one is killed: killing a server's last session makes the
   * server exit, and a session started just then is lost with it ("server exited unexpectedly").
   */
  async start(command: string, size: { columns: number; rows: number }, cwd?: string): Promise<void> {
    const previous = this.started > 0 ? this.session : undefined;
    const next = `${this.name}-${++this.started}`;
    await this.run('new-session', '-d', '-s', next, '-x', String(size.columns), '-y', String(size.rows), ...(cwd ? ['-c', cwd] : []), command);
    this.session = next;
    if (previous) await this.run('kill-session', '-t', previous).catch(() => undefined);
  }

  /** The visible screen; fails, with tmux's own message, when the session or its server is gone. */
  capture(): Promise<string> {
    return this.run('capture-pane', '-p', '-t', this.session);
  }

  /** Waits until the screen passes `check`; on timeout the error shows the last screen. */
  async screenUntil(check: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = await this.capture();
      if (check(screen)) return screen;
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
  }

  /** Key names as tmux spells them (`Enter`, `C-c`, `Tab`), then a moment for the redraw. */
  async keys(...sequence: string[]): Promise<void> {
    await this.run('send-keys', '-t', this.session, ...sequence);
    await sleep(150);
  }

  /** Literal text, typed. */
  async type(text: string): Promise<void> {
    await this.run('send-keys', '-t', this.session, '-l', text);
    await sleep(150);
  }

  /** A tmux format string (`#{pane_pid}`, `#{alternate_on}`) evaluated for the session. */
  display(format: string): Promise<string> {
    return this.run('display-message', '-p', '-t', this.session, format).then((out) => out.trim());
  }

  resize(size: { columns: number; rows: number }): Promise<string> {
    return this.run('resize-window', '-t', this.session, '-x', String(size.columns), '-y', String(size.rows));
  }

  /** Stops the session and this test file's tmux server. */
  async stop(): Promise<void> {
    const socketPath = await this.run('display-message', '-p', '#{socket_path}').catch(() => '');
    await this.run('kill-server').catch(() => undefined);
    if (socketPath.trim()) await rm(socketPath.trim(), { force: true });
  }

  private async run(...args: string[]): Promise<string> {
    const result = await execa('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { reject: false });
    if (result.exitCode !== 0) throw new Error(`tmux ${args[0]} failed (exit ${result.exitCode}): ${String(result.stderr).trim()}`);
    return String(result.stdout);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
