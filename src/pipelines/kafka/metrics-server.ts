/**
 * The daemon's health and metrics endpoint on 127.0.0.1: `GET /health` (200 while consuming,
 * 503 while starting, reconnecting or stopping) and `GET /metrics` (the MetricsReport as JSON).
 * Local only: it is for `analytics ingest status`, probes and a scraper on the same host.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestMetrics, MetricsReport } from './metrics.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export const METRICS_HOST = '127.0.0.1';

/** Starts the endpoint; rejects with the listen error (EADDRINUSE…) so the caller can decide. */
export async function startMetricsServer(metrics: IngestMetrics, port: number): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${METRICS_HOST}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (request.method !== 'GET') return send(405, { error: 'only GET' });
    if (url.pathname === '/health') {
      const report = metrics.report();
      return send(report.state === 'running' ? 200 : 503, {
        status: report.state === 'running' ? 'ok' : report.state,
        state: report.state,
        pid: report.pid,
        group: report.group,
        partitions: report.partitions.length,
        last_commit_at: report.last_commit_at,
      });
    }
    if (url.pathname === '/metrics') return send(200, metrics.report());
    return send(404, { error: `unknown path ${url.pathname}; use /health or /metrics` });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Reads a running daemon's report (for `analytics ingest status`); undefined when none answers. */
export async function fetchMetrics(port: number, timeoutMs = 2_000): Promise<MetricsReport | undefined> {
  try {
    const response = await fetch(`http://${METRICS_HOST}:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return (await response.json()) as MetricsReport;
  } catch {
    return undefined;
  }
}
