/**
 * The one client of the ingest daemon's live feed (message format: feed-protocol.ts), used by
 * `analytics stream tail` (tailFeed) and the dashboard (FeedClient). It finds the feed through
 * `<workspace>/.analytics/feed.json`, subscribes to the streams it is asked for, and keeps going
 * whatever happens: a feed that is absent, closes, or is silent for 5 s is reconnected with
 * exponential backoff, and the state says since when the data is stale. It never throws to its
 * user; tailFeed turns "no feed within the wait" into a FEED_NOT_RUNNING error.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { UserError } from '../errors.js';
import { FEED_FILE, FEED_SILENCE_MS, type FeedDiscovery, type FeedStreamInfo, type ServerMessage } from './feed-protocol.js';

export { FEED_FILE, FEED_SILENCE_MS, type FeedStreamInfo };

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface FeedResult {
  stream: string;
  op: 'insert' | 'update';
  row: Record<string, unknown>;
  emittedAt: string;
}

export interface FeedStatus {
  serverTime: string;
  eventsPerSecond: number;
  lag: number | null;
  watermarks: Record<string, string>;
  lakeVersion: number;
}

export interface FeedState {
  /** `absent`: no feed.json (no daemon serving a feed); `connecting`; `live`; `stale`: lost, reconnecting. */
  state: 'absent' | 'connecting' | 'live' | 'stale';
  url: string | null;
  /** When data last arrived; "stale since" this time. */
  lastMessageAt: Date | null;
  /** When the current outage began (for `stale` and `absent` after having been live). */
  since: Date | null;
  streams: FeedStreamInfo[];
  status: FeedStatus | null;
  reconnects: number;
}

/** A connection that opened (`connected`), or one that had opened and was lost (`lost`, with why). */
export type FeedConnectionEvent = { state: 'connected'; url: string } | { state: 'lost'; url: string; reason: string };

/** An attempt that did not get a connection: no feed.json (`url` undefined), or the feed did not answer. */
export interface FeedAttemptFailure {
  url: string | undefined;
  reason: string;
}

export interface FeedClientOptions {
  workspaceRoot: string;
  /** Stream names, or ['*'] for all. */
  streams: string[];
  /** Overrides discovery (tests). */
  url?: string;
  /** Silence after which the feed counts as lost (default 5 s; the server sends status every second). */
  heartbeatTimeoutMs?: number;
  /** First wait before reconnecting (default 0.5 s), doubled after each failed attempt. */
  backoffStartMs?: number;
  /** Longest wait between attempts (default 10 s). */
  backoffMaxMs?: number;
  /** Keep the process alive while waiting to reconnect (a command that only tails); default false (the dashboard's UI keeps it alive). */
  holdsProcess?: boolean;
}

/** Reads feed.json's URL; undefined when absent or unreadable. */
export function discoverFeedUrl(workspaceRoot: string): string | undefined {
  const file = path.join(workspaceRoot, FEED_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FeedDiscovery>;
    return typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Events: `state` (FeedState) on every change of state; `result` (FeedResult) per result row;
 * `status` (FeedStatus) about once a second; `message` (ServerMessage) for every message as
 * sent; `connection` (FeedConnectionEvent); `failure` (FeedAttemptFailure) per failed attempt.
 */
export class FeedClient extends EventEmitter {
  private socket: WebSocket | undefined;
  private opened = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  private current: FeedState = { state: 'connecting', url: null, lastMessageAt: null, since: null, streams: [], status: null, reconnects: 0 };

  constructor(private readonly options: FeedClientOptions) {
    super();
    this.backoffMs = options.backoffStartMs ?? BACKOFF_START_MS;
  }

  get state(): FeedState {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.heartbeatTimer);
    this.dropSocket();
  }

  /** Changes the subscription (sent again on every reconnect). */
  subscribe(streams: string[]): void {
    this.options.streams = streams;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'subscribe', streams }));
  }

  private update(change: Partial<FeedState>): void {
    this.current = { ...this.current, ...change };
    this.emit('state', this.current);
  }

  private dropSocket(): void {
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => {});
    this.socket?.terminate();
    this.socket = undefined;
  }

  private retryLater(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
    if (!this.options.holdsProcess) this.reconnectTimer.unref?.();
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMaxMs ?? BACKOFF_MAX_MS);
  }

  private lost(reason: string): void {
    if (this.stopped) return;
    const url = this.current.url ?? '';
    const wasLive = this.current.state === 'live';
    const hadOpened = this.opened;
    this.opened = false;
    this.dropSocket();
    clearTimeout(this.heartbeatTimer);
    const since = wasLive || this.current.since === null ? (this.current.lastMessageAt ?? new Date()) : this.current.since;
    this.update({ state: this.current.lastMessageAt ? 'stale' : this.current.state === 'absent' ? 'absent' : 'connecting', since });
    if (hadOpened) this.emit('connection', { state: 'lost', url, reason } satisfies FeedConnectionEvent);
    else this.emit('failure', { url, reason } satisfies FeedAttemptFailure);
    this.retryLater();
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    const timeoutMs = this.options.heartbeatTimeoutMs ?? FEED_SILENCE_MS;
    this.heartbeatTimer = setTimeout(() => this.lost(`no message for ${timeoutMs / 1000} s`), timeoutMs);
    if (!this.options.holdsProcess) this.heartbeatTimer.unref?.();
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.options.url ?? discoverFeedUrl(this.options.workspaceRoot);
    if (!url) {
      // No daemon serves a feed (yet): look again later, as if it had been lost.
      if (this.current.state !== 'absent' && !this.current.lastMessageAt) this.update({ state: 'absent', url: null, since: this.current.since ?? new Date() });
      if (this.current.lastMessageAt && this.current.state === 'live') this.update({ state: 'stale', since: this.current.lastMessageAt });
      this.emit('failure', { url: undefined, reason: `${FEED_FILE} is missing` } satisfies FeedAttemptFailure);
      this.retryLater();
      return;
    }
    const socket = new WebSocket(url, { handshakeTimeout: 3_000 });
    this.socket = socket;
    if (this.current.url !== url) this.update({ url });
    socket.on('open', () => {
      this.opened = true;
      socket.send(JSON.stringify({ type: 'subscribe', streams: this.options.streams }));
      this.armHeartbeat();
      this.emit('connection', { state: 'connected', url } satisfies FeedConnectionEvent);
    });
    socket.on('message', (raw) => this.onMessage(String(raw)));
    socket.on('error', (error) => this.lost(error.message));
    socket.on('close', () => this.lost('closed by the server'));
  }

  private onMessage(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return; // not ours to crash on; the heartbeat decides whether the feed is alive
    }
    this.armHeartbeat();
    const now = new Date();
    if (this.current.state !== 'live') {
      this.backoffMs = this.options.backoffStartMs ?? BACKOFF_START_MS;
      this.update({ state: 'live', since: null, lastMessageAt: now, reconnects: this.current.reconnects + (this.current.lastMessageAt ? 1 : 0) });
    } else {
      this.current = { ...this.current, lastMessageAt: now };
    }
    this.emit('message', message);
    const raw = message as Record<string, unknown>;
    switch (message.type) {
      case 'hello':
        this.update({ streams: Array.isArray(raw.streams) ? (raw.streams as FeedStreamInfo[]) : [] });
        break;
      case 'result':
        this.emit('result', { stream: String(raw.stream), op: raw.op === 'update' ? 'update' : 'insert', row: (raw.row ?? {}) as Record<string, unknown>, emittedAt: String(raw.emitted_at ?? now.toISOString()) } satisfies FeedResult);
        break;
      case 'status': {
        const status: FeedStatus = {
          serverTime: String(raw.server_time),
          eventsPerSecond: Number(raw.events_per_second ?? 0),
          lag: raw.lag === null || raw.lag === undefined ? null : Number(raw.lag),
          watermarks: (raw.watermarks ?? {}) as Record<string, string>,
          lakeVersion: Number(raw.lake_version ?? 0),
        };
        // The status line of the dashboard shows it: a state change, about once a second.
        this.update({ status });
        this.emit('status', status);
        break;
      }
    }
  }
}

export interface TailOptions {
  workspaceRoot: string;
  /** Stream names, or ['*'] for all. */
  streams: string[];
  onMessage: (message: ServerMessage) => void;
  /** Connection made or lost, for the caller to log. */
  onConnection?: (event: { state: 'connected' | 'lost'; url?: string; reason?: string }) => void;
  signal: AbortSignal;
  /** Give up after this long without a connection (default: never). */
  connectTimeoutMs?: number;
}

/**
 * Tails the feed until `signal` aborts: every message to `onMessage`, reconnecting with backoff
 * (0.25 s doubling to 5 s). Rejects with FEED_NOT_RUNNING when no connection was had for
 * `connectTimeoutMs`.
 */
export function tailFeed(options: TailOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) return resolve();
    const client = new FeedClient({ workspaceRoot: options.workspaceRoot, streams: options.streams, backoffStartMs: 250, backoffMaxMs: 5_000, holdsProcess: true });
    let lastConnected = Date.now();
    const finish = (error?: Error) => {
      client.stop();
      client.removeAllListeners();
      options.signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish();
    options.signal.addEventListener('abort', onAbort, { once: true });
    client.on('message', (message: ServerMessage) => options.onMessage(message));
    client.on('connection', (event: FeedConnectionEvent) => {
      lastConnected = Date.now();
      options.onConnection?.(event.state === 'connected' ? { state: 'connected', url: event.url } : { state: 'lost', url: event.url, reason: event.reason });
    });
    client.on('failure', (failure: FeedAttemptFailure) => {
      if (options.connectTimeoutMs === undefined || Date.now() - lastConnected <= options.connectTimeoutMs) return;
      finish(failure.url === undefined
        ? new UserError('FEED_NOT_RUNNING', `No live feed is running for the workspace ${options.workspaceRoot} (${FEED_FILE} is missing).`, {
          hint: 'Start the ingest daemon, which serves the feed when streams.yaml declares jobs: analytics ingest kafka',
        })
        : new UserError('FEED_NOT_RUNNING', `The live feed at ${failure.url} does not answer (${failure.reason}).`, {
          hint: 'Is `analytics ingest kafka` running for this workspace? A stale .analytics/feed.json is left by a daemon that was killed.',
        }));
    });
    client.start();
  });
}
