/**
 * The dashboard's state outside React: one entry per widget (loading, ready, error, with the
 * last good data kept while a refresh runs), the time range, the global filters and the live
 * feed. Queries run asynchronously, at most `concurrency` at a time, each widget on its own
 * refresh timer; the render loop only ever reads snapshots, so a slow query never blocks it.
 * Listeners are told of changes at most every `emitEveryMs`.
 */
import { messageOf } from '../errors.js';
import type { Row } from '../duckdb/engine.js';
import type { Workspace } from '../workspace/workspace.js';
import { barsData, kpiData, mapData, seriesData, tableData } from './data/metric-data.js';
import { filterRows, logData, shapeRows, sqlWidgetData } from './data/sql-data.js';
import { statusData } from './data/status-data.js';
import type { QueryContext, WidgetResult } from './data/types.js';
import type { FeedClient, FeedResult, FeedState } from '../streams/feed-client.js';
import type { LoadedDashboard, PlacedWidget } from './load.js';
import type { TimeRangeName } from './schema.js';
import { presetRange, type TimeRange } from './time-range.js';

export interface WidgetState {
  status: 'loading' | 'ready' | 'error';
  /** A refresh is running (the last data stays on screen meanwhile). */
  refreshing: boolean;
  result?: WidgetResult;
  error?: string;
  updatedAt?: Date;
}

export interface DashboardSnapshot {
  range: TimeRange;
  filters: Readonly<Record<string, string>>;
  widgets: Readonly<Record<string, WidgetState>>;
  feed: FeedState | null;
}

export interface StoreOptions {
  now?: () => Date;
  concurrency?: number;
  feed?: FeedClient | null;
  range?: TimeRangeName | TimeRange;
  filters?: Record<string, string>;
  emitEveryMs?: number;
}

/**
 * Changes (feed results, query answers) reach the screen at most this often. Live results must
 * show within 1 s; at 10 results/s a frame per result doubled the garbage the renderer makes
 * (and so the heap and CPU) for no visible gain. Keys and filter or range changes show at once.
 */
const EMIT_EVERY_MS = 250;

/** A refresh of a widget that has data shows the spinner only when it takes longer than this. */
const SLOW_REFRESH_MS = 300;

/** Rows kept per stream of the live feed. */
const STREAM_ROWS_KEPT = 500;

/** Which stream a widget reads, if any. */
export function widgetStream(widget: PlacedWidget): string | undefined {
  const config = widget.config as { stream?: string };
  return config.stream;
}

/** Fetches one widget's data for a context (no stream widgets: those are fed by the feed). */
export async function fetchWidget(workspace: Workspace, dashboard: LoadedDashboard, widget: PlacedWidget, context: QueryContext): Promise<WidgetResult> {
  const config = widget.config;
  const metric = 'metric' in config && config.metric ? dashboard.metrics.get(config.metric) : undefined;
  switch (config.type) {
    case 'kpi': return kpiData(workspace, metric!, context);
    case 'line': return config.sql ? sqlWidgetData(workspace, config, context) : seriesData(workspace, dashboard.metrics, config, context);
    case 'bar': return config.sql ? sqlWidgetData(workspace, config, context) : barsData(workspace, metric!, config, context);
    case 'table': return config.sql ? sqlWidgetData(workspace, config, context) : tableData(workspace, metric!, config.by!, context);
    case 'map': return config.sql ? sqlWidgetData(workspace, config, context) : mapData(workspace, metric!, config.by, context);
    case 'log': return logData(workspace, config, context);
    case 'status': return statusData(workspace, config);
    case 'query': return sqlWidgetData(workspace, config, context);
  }
}

export class DashboardStore {
  private snapshot: DashboardSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly queue: PlacedWidget[] = [];
  private readonly queued = new Set<string>();
  private running = 0;
  private generation = 0;
  private started = false;
  private rangeChoice: TimeRangeName | TimeRange;
  private emitTimer: NodeJS.Timeout | undefined;
  private readonly streamRows = new Map<string, Row[]>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly now: () => Date;
  private readonly concurrency: number;
  private readonly emitEveryMs: number;
  // A change of connection state (live, stale…) shows at once; status ticks wait for the next frame.
  private readonly onFeedState = (state: FeedState) => this.set({ feed: state }, state.state !== this.snapshot.feed?.state);
  private readonly onFeedResult = (result: FeedResult) => this.acceptResult(result);

  constructor(
    private readonly workspace: Workspace,
    readonly dashboard: LoadedDashboard,
    private readonly options: StoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? 2;
    this.emitEveryMs = options.emitEveryMs ?? EMIT_EVERY_MS;
    this.rangeChoice = options.range ?? dashboard.config.time_range;
    const widgets: Record<string, WidgetState> = {};
    for (const widget of dashboard.widgets) widgets[widget.id] = { status: 'loading', refreshing: true };
    this.snapshot = { range: this.currentRange(), filters: options.filters ?? {}, widgets, feed: options.feed?.state ?? null };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): DashboardSnapshot => this.snapshot;

  private currentRange(): TimeRange {
    return typeof this.rangeChoice === 'string' ? presetRange(this.rangeChoice, this.now()) : this.rangeChoice;
  }

  private context(): QueryContext {
    return { range: this.currentRange(), filters: this.snapshot.filters };
  }

  private set(change: Partial<DashboardSnapshot>, immediately = false): void {
    this.snapshot = { ...this.snapshot, ...change };
    if (immediately || this.emitEveryMs === 0) return this.emit();
    if (this.emitTimer) return;
    this.emitTimer = setTimeout(() => this.emit(), this.emitEveryMs);
  }

  private emit(): void {
    clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    for (const listener of this.listeners) listener();
  }

  private setWidget(id: string, state: WidgetState): void {
    this.set({ widgets: { ...this.snapshot.widgets, [id]: state } });
  }

  /** Starts the refresh timers and the feed. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const feed = this.options.feed;
    if (feed) {
      feed.on('state', this.onFeedState);
      feed.on('result', this.onFeedResult);
      feed.start();
    }
    for (const widget of this.dashboard.widgets) this.enqueue(widget);
  }

  stop(): void {
    this.started = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.emitTimer);
    this.queue.length = 0;
    this.queued.clear();
    const feed = this.options.feed;
    if (feed) {
      feed.off('state', this.onFeedState);
      feed.off('result', this.onFeedResult);
      feed.stop();
    }
  }

  /** Refreshes every widget once and resolves when all have an answer (for `--once`). */
  async refreshAll(): Promise<void> {
    for (const widget of this.dashboard.widgets) this.enqueue(widget);
    await this.idle();
    this.emit();
  }

  /** Resolves when no query is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  refresh(id?: string): void {
    for (const widget of this.dashboard.widgets) if (id === undefined || widget.id === id) this.enqueue(widget);
  }

  setRange(range: TimeRangeName | TimeRange): void {
    this.rangeChoice = range;
    this.generation++;
    this.set({ range: this.currentRange() }, true);
    this.refresh();
  }

  setFilters(filters: Record<string, string>): void {
    this.generation++;
    this.set({ filters }, true);
    for (const widget of this.dashboard.widgets) if (widgetStream(widget)) this.renderStream(widget);
    this.refresh();
  }

  private enqueue(widget: PlacedWidget): void {
    clearTimeout(this.timers.get(widget.id));
    this.timers.delete(widget.id);
    if (widgetStream(widget)) {
      this.renderStream(widget);
      return;
    }
    if (this.queued.has(widget.id)) return;
    this.queued.add(widget.id);
    this.queue.push(widget);
    // A widget without data shows its spinner at once; one with data only when a refresh is
    // slow (see run), so routine refreshes of unchanged data do not animate the screen.
    const state = this.snapshot.widgets[widget.id]!;
    if (!state.refreshing && !state.result) this.setWidget(widget.id, { ...state, refreshing: true });
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const widget = this.queue.shift()!;
      this.queued.delete(widget.id);
      this.running++;
      void this.run(widget).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async run(widget: PlacedWidget): Promise<void> {
    const generation = this.generation;
    const context = this.context();
    const slow = setTimeout(() => {
      const current = this.snapshot.widgets[widget.id]!;
      if (!current.refreshing) this.setWidget(widget.id, { ...current, refreshing: true });
    }, SLOW_REFRESH_MS);
    let next: WidgetState;
    try {
      const result = await fetchWidget(this.workspace, this.dashboard, widget, context);
      next = { status: 'ready', refreshing: false, result, updatedAt: this.now() };
    } catch (error) {
      const previous = this.snapshot.widgets[widget.id]!;
      next = { ...previous, status: 'error', refreshing: false, error: messageOf(error).split('\n')[0] ?? 'failed', updatedAt: this.now() };
    } finally {
      clearTimeout(slow);
    }
    if (generation === this.generation) {
      this.setWidget(widget.id, next);
      if (this.snapshot.range.name !== 'custom' && this.snapshot.range.to.getTime() !== context.range.to.getTime()) this.set({ range: context.range });
    } else {
      // The question changed while this ran: ask the new one.
      this.queue.push(widget);
      this.queued.add(widget.id);
    }
    if (this.started && !this.queued.has(widget.id)) {
      const timer = setTimeout(() => this.enqueue(widget), widget.refreshMs);
      this.timers.set(widget.id, timer);
    }
  }

  private acceptResult(result: FeedResult): void {
    let rows = this.streamRows.get(result.stream);
    if (!rows) {
      rows = [];
      this.streamRows.set(result.stream, rows);
    }
    const row = result.row as Row;
    if (result.op === 'update') {
      // An update revises an emitted row: the one with the same non-numeric (key) fields.
      const keys = Object.keys(row).filter((key) => typeof row[key] !== 'number');
      const index = rows.findLastIndex((candidate) => keys.every((key) => candidate[key] === row[key]));
      if (index >= 0) rows[index] = row;
      else rows.push(row);
    } else {
      rows.push(row);
    }
    if (rows.length > STREAM_ROWS_KEPT) rows.splice(0, rows.length - STREAM_ROWS_KEPT);
    for (const widget of this.dashboard.widgets) if (widgetStream(widget) === result.stream) this.renderStream(widget);
  }

  private renderStream(widget: PlacedWidget): void {
    const rows = this.streamRows.get(widgetStream(widget)!) ?? [];
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const filtered = filterRows(columns, rows, this.snapshot.filters);
    // Logs show the newest first; charts and tables keep arrival order.
    const ordered = widget.config.type === 'log' ? [...filtered.rows].reverse().slice(0, widget.config.limit) : filtered.rows;
    const result: WidgetResult = { data: shapeRows(widget.config, columns, ordered), export: { columns, rows: ordered }, ignoredFilters: filtered.ignored, cached: false };
    this.setWidget(widget.id, { status: 'ready', refreshing: false, result, updatedAt: this.now() });
  }
}
