/**
 * Progress of long work on stderr: one redrawn line on a terminal, plain log lines elsewhere.
 * Within a file, progress comes from the bytes this process has read (/proc/self/io on Linux),
 * since DuckDB reads the file itself and reports nothing back.
 */
import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import type { Logger } from './logger.js';

function bytesReadSoFar(): number | undefined {
  try {
    const match = /rchar:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

const units = ['B', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 10 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export class FileProgress {
  private timer: NodeJS.Timeout | undefined;
  private stage = '';
  private readonly tty: boolean;

  constructor(private readonly logger: Logger, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  start(label: string, index: number, total: number, bytes: number): void {
    const prefix = total > 1 ? `[${index + 1}/${total}] ` : '';
    if (!this.tty) {
      this.logger.info(`ingesting ${label}`, { file: label, bytes, index: index + 1, files: total });
      return;
    }
    this.stage = 'validating';
    const baseline = bytesReadSoFar();
    const started = Date.now();
    const draw = () => {
      const read = baseline === undefined ? undefined : (bytesReadSoFar() ?? baseline) - baseline;
      // Bytes read measure the validation pass; later stages show their name instead.
      const fraction = read === undefined || this.stage !== 'validating' ? undefined : Math.min(0.99, read / Math.max(1, bytes));
      const width = 24;
      const bar = fraction === undefined ? '' : `${chalk.cyan('█'.repeat(Math.round(fraction * width)))}${chalk.gray('░'.repeat(width - Math.round(fraction * width)))} ${Math.round(fraction * 100)}% `;
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      const stage = this.stage && this.stage !== 'validating' ? `${chalk.cyan(this.stage)}… ` : '';
      this.stream.write(`\r\x1b[2K${prefix}${label} ${bar}${stage}${chalk.gray(`${formatBytes(bytes)} · ${elapsed}s`)}`);
    };
    draw();
    this.timer = setInterval(draw, 150);
  }

  /** Names the stage in progress ('validating' shows the byte bar). */
  setStage(stage: string): void {
    this.stage = stage;
  }

  finish(line: string, fields: Record<string, unknown> = {}): void {
    this.stop();
    if (this.tty) this.stream.write(`\r\x1b[2K${line}\n`);
    else this.logger.info(stripAnsi(line), fields);
  }

  fail(line: string, fields: Record<string, unknown> = {}): void {
    this.stop();
    if (this.tty) this.stream.write(`\r\x1b[2K${line}\n`);
    else this.logger.error(stripAnsi(line), fields);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
