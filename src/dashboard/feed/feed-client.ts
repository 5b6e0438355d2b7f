/**
 * Client of the ingest daemon's live feed (docs: FEED contract in docs/dashboard.md). It finds the
 * feed through `<workspace>/.analytics/feed.json`, subscribes to the streams it is asked for,
 * and keeps going whatever happens: a feed that is absent, closes, or is silent for 5 s is
 * reconnected with exponential backoff (0.5 s doubling to 10 s), and the state says since when
 * the data is stale. It never throws to its user.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';

export const FEED_FILE = path.join('.analytics', 'feed.json');
/** Silence longer than this means the feed is lost (the server sends status about every second). */
export const HEARTBEAT_TIMEOUT_MS = 5_000;
const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface FeedColumn { name: string; sql_type: string }
export interface FeedStreamInfo { name: string; kind: string; columns: FeedColumn[] }

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

export interface FeedClientOptions {
  workspaceRoot: string;
  streams: string[];
  /** Overrides discovery (tests). */
  url?: string;
  heartbeatTimeoutMs?: number;
  backoffStartMs?: number;
  backoffMaxMs?: number;
}

/** Reads feed.json; undefined when absent or unreadable. */
export function discoverFeedUrl(workspaceRoot: string): string | undefined {
  const file = path.join(workspaceRoot, FEED_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Events: `state` (FeedState) on every change of state, `result` (FeedResult) per result row,
 * `status` (FeedStatus) about once a second.
 */
export class FeedClient extends EventEmitter {
  private socket: WebSocket | undefined;
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
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => {});
    this.socket?.terminate();
    this.socket = undefined;
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

  private lost(): void {
    if (this.stopped) return;
    const wasLive = this.current.state === 'live';
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => {});
    this.socket?.terminate();
    this.socket = undefined;
    clearTimeout(this.heartbeatTimer);
    const since = wasLive || this.current.since === null ? (this.current.lastMessageAt ?? new Date()) : this.current.since;
    this.update({ state: this.current.lastMessageAt ? 'stale' : this.current.state === 'absent' ? 'absent' : 'connecting', since });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
    this.reconnectTimer.unref?.();
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMaxMs ?? BACKOFF_MAX_MS);
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => this.lost(), this.options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS);
    this.heartbeatTimer.unref?.();
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.options.url ?? discoverFeedUrl(this.options.workspaceRoot);
    if (!url) {
      // No daemon serves a feed (yet): look again later, as if it had been lost.
      if (this.current.state !== 'absent' && !this.current.lastMessageAt) this.update({ state: 'absent', url: null, since: this.current.since ?? new Date() });
      if (this.current.lastMessageAt && this.current.state === 'live') this.update({ state: 'stale', since: this.current.lastMessageAt });
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
      this.reconnectTimer.unref?.();
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMaxMs ?? BACKOFF_MAX_MS);
      return;
    }
    const socket = new WebSocket(url, { handshakeTimeout: 3_000 });
    this.socket = socket;
    if (this.current.url !== url) this.update({ url });
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe', streams: this.options.streams }));
      this.armHeartbeat();
    });
    socket.on('message', (raw) => this.onMessage(String(raw)));
    socket.on('error', () => this.lost());
    socket.on('close', () => this.lost());
  }

  private onMessage(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
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
    switch (message.type) {
      case 'hello':
        this.update({ streams: Array.isArray(message.streams) ? (message.streams as FeedStreamInfo[]) : [] });
        break;
      case 'result':
        this.emit('result', { stream: String(message.stream), op: message.op === 'update' ? 'update' : 'insert', row: (message.row ?? {}) as Record<string, unknown>, emittedAt: String(message.emitted_at ?? now.toISOString()) } satisfies FeedResult);
        break;
      case 'status': {
        const status: FeedStatus = {
          serverTime: String(message.server_time),
          eventsPerSecond: Number(message.events_per_second ?? 0),
          lag: message.lag === null || message.lag === undefined ? null : Number(message.lag),
          watermarks: (message.watermarks ?? {}) as Record<string, string>,
          lakeVersion: Number(message.lake_version ?? 0),
        };
        // The status line of the dashboard shows it: a state change, about once a second.
        this.update({ status });
        this.emit('status', status);
        break;
      }
    }
  }
}
