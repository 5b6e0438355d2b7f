/**
 * The live feed of stream results: a WebSocket endpoint on 127.0.0.1 that the Kafka ingest
 * daemon serves. Each client subscribes by stream name and gets every result row right after
 * the batch that emitted it is committed to the lake (never before: a crash cannot show a
 * client a result the lake does not hold), plus a status message every second (heartbeat).
 * While it runs, `<workspace>/.analytics/feed.json` tells clients where it is.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { replaceAtomically } from '../lake/durable-fs.js';
import { FEED_FILE, FEED_PATH, type ClientMessage, type FeedDiscovery, type FeedStreamInfo, type ServerMessage } from './feed-protocol.js';
import type { CommittedStreams, StreamRunner } from './runner.js';
import { resultColumns } from './runner.js';

export interface FeedStatusSource {
  eventsPerSecond(): number;
  lag(): number | null;
}

export interface FeedServer {
  port: number;
  url: string;
  clients(): number;
  close(): Promise<void>;
}

export const FEED_HOST = '127.0.0.1';

/** Starts the feed; rejects with the listen error (EADDRINUSE…). */
export async function startFeedServer(runner: StreamRunner, options: { port: number; workspaceRoot: string; status: FeedStatusSource; statusIntervalMs?: number }): Promise<FeedServer> {
  const streams: FeedStreamInfo[] = runner.jobs.map((job) => ({ name: job.name, kind: job.kind, columns: resultColumns(job).map((column) => ({ name: column.name, sql_type: column.sqlType })) }));
  const known = new Set(streams.map((stream) => stream.name));
  const operators = new Map(runner.jobs.map((job) => [job.name, job.operator]));
  const subscriptions = new Map<WebSocket, Set<string> | 'all'>();
  let watermarks: Record<string, string | null> = Object.fromEntries(streams.map((stream) => [stream.name, null]));
  let lakeVersion: number | null = null;

  const server = http.createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' });
    response.end(`WebSocket only: connect to ws://${FEED_HOST}:<port>${FEED_PATH}\n`);
  });
  const wss = new WebSocketServer({ server, path: FEED_PATH });
  const send = (socket: WebSocket, message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  wss.on('connection', (socket) => {
    subscriptions.set(socket, new Set());
    send(socket, { type: 'hello', streams, server_time: new Date().toISOString() });
    socket.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        return;
      }
      if (message?.type !== 'subscribe' || !Array.isArray(message.streams)) return;
      subscriptions.set(socket, message.streams.includes('*') ? 'all' : new Set(message.streams.filter((name) => known.has(name))));
    });
    socket.on('close', () => subscriptions.delete(socket));
    socket.on('error', () => subscriptions.delete(socket));
  });

  const unsubscribe = runner.onCommitted((committed: CommittedStreams) => {
    watermarks = committed.watermarks;
    lakeVersion = committed.lakeVersion;
    const emittedAt = new Date().toISOString();
    for (const { job, emission } of committed.emissions) {
      const operator = operators.get(job);
      const event = operator?.derivedEvent ? { event: operator.derivedEvent(emission.row) } : {};
      const text = JSON.stringify({ type: 'result', stream: job, op: emission.op, row: emission.row, emitted_at: emittedAt, ...event } satisfies ServerMessage);
      for (const [socket, wanted] of subscriptions) {
        if ((wanted === 'all' || wanted.has(job)) && socket.readyState === socket.OPEN) socket.send(text);
      }
    }
  });
  const timer = setInterval(() => {
    const message: ServerMessage = { type: 'status', server_time: new Date().toISOString(), events_per_second: options.status.eventsPerSecond(), lag: options.status.lag(), watermarks, lake_version: lakeVersion };
    for (const socket of subscriptions.keys()) send(socket, message);
  }, options.statusIntervalMs ?? 1_000);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, FEED_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `ws://${FEED_HOST}:${port}${FEED_PATH}`;
  const discovery = path.join(options.workspaceRoot, FEED_FILE);
  await fs.mkdir(path.dirname(discovery), { recursive: true });
  await replaceAtomically(discovery, `${JSON.stringify({ url, pid: process.pid, started_at: new Date().toISOString() } satisfies FeedDiscovery)}\n`);
  return {
    port,
    url,
    clients: () => subscriptions.size,
    close: async () => {
      clearInterval(timer);
      unsubscribe();
      // Only remove the discovery file if it is still ours (another daemon may have started since).
      try {
        const current = JSON.parse(await fs.readFile(discovery, 'utf8')) as FeedDiscovery;
        if (current.pid === process.pid && current.url === url) await fs.rm(discovery, { force: true });
      } catch {
        // already gone
      }
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
