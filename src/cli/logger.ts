/**
 * Diagnostics go to stderr, never stdout (stdout is for results). On a terminal they are short
 * coloured lines; elsewhere one JSON object per line, for log collectors.
 */
import chalk from 'chalk';
import { readEnv } from '../env.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(options: { component: string; debug?: boolean; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = { component: 'analytics' }): Logger {
  const stream = options.stream ?? process.stderr;
  const format = readEnv('ANALYTICS_LOG_FORMAT') ?? (stream.isTTY ? 'text' : 'json');
  const colour = { debug: chalk.gray, info: chalk.cyan, warn: chalk.yellow, error: chalk.red } as const;
  const write = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (level === 'debug' && !options.debug) return;
    if (format === 'json') {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, component: options.component, message, ...fields })}\n`);
      return;
    }
    const extra = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(' ');
    stream.write(`${colour[level](level.padEnd(5))} ${message}${extra ? ` ${chalk.gray(extra)}` : ''}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}
