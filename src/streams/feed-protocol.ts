/**
 * The live feed's messages (docs/streams.md, "Live feed"; shared with the dashboard). JSON text
 * frames over a WebSocket at ws://127.0.0.1:<port>/feed; the daemon advertises the URL in
 * `<workspace>/.analytics/feed.json`.
 */
import path from 'node:path';
import type { DerivedEvent, ResultRow } from './operator.js';

export const FEED_FILE = path.join('.analytics', 'feed.json');
export const FEED_PATH = '/feed';

/** `.analytics/feed.json`. */
export interface FeedDiscovery {
  url: string;
  pid: number;
  started_at: string;
}

export interface FeedStreamInfo {
  name: string;
  kind: 'window' | 'join' | 'pattern';
  columns: { name: string; sql_type: string }[];
}

export type ServerMessage =
  | { type: 'hello'; streams: FeedStreamInfo[]; server_time: string }
  | { type: 'result'; stream: string; op: 'insert' | 'update'; row: ResultRow; emitted_at: string; event?: DerivedEvent }
  | { type: 'status'; server_time: string; events_per_second: number; lag: number | null; watermarks: Record<string, string | null>; lake_version: number | null };

export type ClientMessage = { type: 'subscribe'; streams: string[] };

/** Seconds without any message after which a client treats the feed as lost. */
export const FEED_SILENCE_MS = 5_000;
