/**
 * A live feed client (for `analytics stream tail`, and for the dashboard to reuse): finds the
 * feed through `<workspace>/.analytics/feed.json`, subscribes, and reconnects with backoff
 * when the connection closes or stays silent for 5 s (the server sends a status every second).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { UserError } from '../errors.js';
import { FEED_FILE, FEED_SILENCE_MS, type FeedDiscovery, type ServerMessage } from './feed-protocol.js';

/** The running feed's address, or a FEED_NOT_RUNNING error. */
export async function discoverFeed(workspaceRoot: string): Promise<FeedDiscovery> {
  const file = path.join(workspaceRoot, FEED_FILE);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as FeedDiscovery;
  } catch {
    throw new UserError('FEED_NOT_RUNNING', `No live feed is running for the workspace ${workspaceRoot} (${FEED_FILE} is missing).`, {
      hint: 'Start the ingest daemon, which serves the feed when streams.yaml declares jobs: analytics ingest kafka',
    });
  }
}

export interface TailOptions {
  workspaceRoot: string;
  /** Stream names, or ['*'] for all. */
  streams: string[];
  onMessage: (message: ServerMessage) => void;
  /** Connection lost or restored, for the caller to log. */
  onConnection?: (event: { state: 'connected' | 'lost'; url?: string; reason?: string }) => void;
  signal: AbortSignal;
  /** Give up after this long without a connection (default: never). */
  connectTimeoutMs?: number;
}

/** Tails the feed until `signal` aborts. Rejects with FEED_NOT_RUNNING if no feed is found in time. */
export async function tailFeed(options: TailOptions): Promise<void> {
  let backoff = 250;
  let lastConnected = Date.now();
  while (!options.signal.aborted) {
    let discovery: FeedDiscovery | undefined;
    try {
      discovery = await discoverFeed(options.workspaceRoot);
    } catch (error) {
      if (options.connectTimeoutMs !== undefined && Date.now() - lastConnected > options.connectTimeoutMs) throw error;
    }
    if (discovery) {
      const reason = await connectOnce(discovery.url, options);
      if (reason === 'aborted') return;
      if (reason === 'opened') { backoff = 250; lastConnected = Date.now(); continue; }
      if (options.connectTimeoutMs !== undefined && Date.now() - lastConnected > options.connectTimeoutMs) {
        throw new UserError('FEED_NOT_RUNNING', `The live feed at ${discovery.url} does not answer (${reason}).`, { hint: 'Is `analytics ingest kafka` running for this workspace? A stale .analytics/feed.json is left by a daemon that was killed.' });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, 5_000);
  }
}

/** One connection: resolves 'aborted', 'opened' (it was up, then lost) or the failure reason. */
function connectOnce(url: string, options: TailOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let opened = false;
    let silence: NodeJS.Timeout | undefined;
    const finish = (result: string) => {
      clearTimeout(silence);
      options.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      if (opened && result !== 'aborted') options.onConnection?.({ state: 'lost', reason: result });
      resolve(opened && result !== 'aborted' ? 'opened' : result);
    };
    const arm = () => {
      clearTimeout(silence);
      silence = setTimeout(() => finish(`no message for ${FEED_SILENCE_MS / 1000} s`), FEED_SILENCE_MS);
    };
    const onAbort = () => finish('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('open', () => {
      opened = true;
      arm();
      options.onConnection?.({ state: 'connected', url });
      socket.send(JSON.stringify({ type: 'subscribe', streams: options.streams }));
    });
    socket.on('message', (data) => {
      arm();
      try {
        options.onMessage(JSON.parse(String(data)) as ServerMessage);
      } catch {
        // not JSON: ignore
      }
    });
    socket.on('close', () => finish('closed by the server'));
    socket.on('error', (error) => finish(error.message));
  });
}
