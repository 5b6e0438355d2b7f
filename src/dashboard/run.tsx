/**
 * Starting the dashboard: one frame to a string (`--once`), or the live, interactive screen on
 * the terminal's alternate buffer. The terminal is restored on quit, on SIGTERM/SIGHUP and on a
 * crash (the restore runs from the process's exit hook too).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { render, renderToString } from 'ink';
import { readEnv } from '../env.js';
import type { Workspace } from '../workspace/workspace.js';
import { FeedClient } from '../streams/feed-client.js';
import type { LoadedDashboard } from './load.js';
import type { TimeRangeName } from './schema.js';
import { DashboardStore, widgetStream } from './store.js';
import type { TimeRange } from './time-range.js';
import { App } from './ui/App.js';
import { findInkTextCache } from './ui/ink-text-cache.js';
import { INITIAL_UI, Screen, type UiState } from './ui/Screen.js';

/** Where and when a test-only crash happens (ANALYTICS_DASHBOARD_TEST_CRASH). */
export interface TestCrash {
  where: 'render' | 'timer';
  afterMs: number;
}

export interface DashboardStart {
  range?: TimeRangeName | TimeRange;
  filters?: Record<string, string>;
  ui?: Partial<UiState>;
}

/** The feed client a dashboard needs: when a widget reads a stream or shows status. */
export function feedFor(workspace: Workspace, dashboard: LoadedDashboard): FeedClient | null {
  const streams = [...new Set(dashboard.widgets.map(widgetStream).filter((stream): stream is string => stream !== undefined))];
  const wantsStatus = dashboard.widgets.some((widget) => widget.config.type === 'status');
  if (streams.length === 0 && !wantsStatus) return null;
  return new FeedClient({ workspaceRoot: workspace.root, streams: streams.length > 0 ? streams : ['*'] });
}

/** One frame of the dashboard after every widget has answered once (no live feed). */
export async function renderOnce(workspace: Workspace, dashboard: LoadedDashboard, size: { columns: number; lines: number }, start: DashboardStart = {}): Promise<string> {
  const store = new DashboardStore(workspace, dashboard, { emitEveryMs: 0, ...(start.range ? { range: start.range } : {}), ...(start.filters ? { filters: start.filters } : {}) });
  await store.refreshAll();
  // No widget has the focus in a printed frame.
  const ui: UiState = { ...INITIAL_UI, focus: -1, ...start.ui };
  return renderToString(<Screen dashboard={dashboard} snapshot={store.getSnapshot()} ui={ui} columns={size.columns} lines={size.lines} spinner=" " now={new Date()} />, { columns: size.columns });
}

/** ANALYTICS_DASHBOARD_TEST_CRASH=`render|timer:<ms>`: tests crash the live dashboard on purpose. */
export function testCrash(): TestCrash | undefined {
  const match = /^(render|timer):(\d+)$/.exec(readEnv('ANALYTICS_DASHBOARD_TEST_CRASH') ?? '');
  return match ? { where: match[1] as TestCrash['where'], afterMs: Number(match[2]) } : undefined;
}

/** The one message a crash prints: what broke, and the stack only with --debug (like BaseCommand). */
export function internalErrorMessage(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const detail = debug && error instanceof Error && error.stack ? error.stack : 'This is a bug in analytics. Run again with --debug for the stack trace and report it.';
  return `Internal error: ${message}\n${detail}\n`;
}

/** The young generation the live dashboard keeps: semi-spaces of 8 MiB instead of V8's 16 (see tuneHeapForLongRun). */
const YOUNG_SEMI_SPACE = 8 * 1024 ** 2;

/**
 * Keeps the V8 heap small for a process that renders for hours; returns the stop. V8 lets its
 * heap grow to up to four times the live data between full collections and keeps the young
 * generation at its largest while a process allocates fast: a live dashboard (about 35 MiB of
 * live objects, a frame of garbage per update) sat at 120–190 MiB of heap and 270–330 MiB RSS.
 * Optimising for size shrinks the young generation back and collects sooner (heap 40–85 MiB);
 * alone it doubled the CPU of a frame (28 → 50–56 ms) and raised idle CPU to 19%, so the old
 * generation may still grow by half its live size between full collections (frame 47 ms, idle
 * 13%).
 *
 * The young generation then still grew to V8's 16 MiB semi-spaces after refresh rounds: RSS
 * peaks of 185–236 MiB over a steady 155. Semi-spaces of 1 MiB removed the peaks but cost idle
 * CPU (14–19% against 11%); 8 MiB keeps both (peaks 176 MiB, idle 12%). V8 fixes the largest
 * size at start (`--max-semi-space-size`), which would apply to every command, but it reads the
 * growth factor each time the young generation grows: after every collection, the factor is 2
 * while a doubling stays within 8 MiB, and 1 (no growth) from there.
 * Measurements: docs/performance.md, issue 7. Process-wide: only for the live dashboard, which
 * has the process to itself.
 */
export function tuneHeapForLongRun(): () => void {
  v8.setFlagsFromString('--optimize-for-size --heap-growing-percent=50');
  let factor = 0;
  const capYoungGeneration = () => {
    // new_space's size is both semi-spaces.
    const semiSpace = (v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 2;
    // Doubling at most: the observer runs after the collection, so one more growth may come first.
    const wanted = semiSpace > 0 && semiSpace * 2 <= YOUNG_SEMI_SPACE ? 2 : 1;
    if (wanted === factor) return;
    factor = wanted;
    v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  };
  // Until its first full collection V8 lets the old generation grow to a start limit set for the
  // machine's memory (hundreds of MiB here); the first load of every widget filled it to ~95 MiB
  // of mostly garbage (RSS 210–227 MiB for two seconds). A full collection when the heap passes
  // HEAP_CEILING, at most every 2 s, ends that (start-up RSS 166–196 MiB); in steady state the
  // heap is 30–55 MiB, so it rarely fires (idle CPU 10.7%).
  const collect = fullCollector();
  let collectedAt = 0;
  const onCollection = () => {
    capYoungGeneration();
    if (!collect || v8.getHeapStatistics().used_heap_size < HEAP_CEILING || Date.now() - collectedAt < 2_000) return;
    collectedAt = Date.now();
    collect();
  };
  capYoungGeneration();
  const observer = new PerformanceObserver(onCollection);
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/** The heap above which the live dashboard asks for a full collection (see tuneHeapForLongRun). */
const HEAP_CEILING = 48 * 1024 ** 2;

/** V8's `gc()`, exposed at run time (`--expose-gc` then a fresh context), or undefined. */
function fullCollector(): (() => void) | undefined {
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as unknown;
  return typeof collect === 'function' ? () => (collect as () => void)() : undefined;
}

/** Texts whose measured size Ink keeps (about a minute of live updates); older ones are dropped. */
const INK_TEXTS_KEPT = 2_000;
const INK_TEXT_TRIM_EVERY_MS = 10_000;

/** Keeps Ink's text-measure cache bounded while the dashboard runs (see ink-text-cache.ts); returns the stop. */
export async function boundInkTextCache(): Promise<() => void> {
  const cache = await findInkTextCache();
  if (!cache) return () => {};
  const timer = setInterval(() => cache.trim(INK_TEXTS_KEPT), INK_TEXT_TRIM_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

const ENTER_SCREEN = '\u001b[?1049h\u001b[?25l';
const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';

/** Runs the live dashboard until the user quits. */
export async function runLiveDashboard(workspace: Workspace, dashboard: LoadedDashboard, options: DashboardStart & { outputDir: string; debug?: boolean; stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream }): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const untuneHeap = tuneHeapForLongRun();
  const stopTrimming = await boundInkTextCache();
  const feed = feedFor(workspace, dashboard);
  const store = new DashboardStore(workspace, dashboard, { feed, ...(options.range ? { range: options.range } : {}), ...(options.filters ? { filters: options.filters } : {}) });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    if (stdin.isTTY) stdin.setRawMode?.(false);
    stdout.write(LEAVE_SCREEN);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    store.stop();
    restore();
    process.exit(signal === 'SIGTERM' ? 143 : 129);
  };
  const onCrash = (error: unknown) => {
    store.stop();
    restore();
    process.stderr.write(internalErrorMessage(error, options.debug ?? false));
    process.exit(2);
  };
  process.on('exit', restore);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.write(ENTER_SCREEN);
  try {
    const crash = testCrash();
    const instance = render(<App workspace={workspace} store={store} initialUi={{ ...INITIAL_UI, ...options.ui }} outputDir={options.outputDir} {...(crash?.where === 'render' ? { crashAfterMs: crash.afterMs } : {})} />, { stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 20 });
    store.start();
    if (crash?.where === 'timer') setTimeout(() => { throw new Error(`test crash in a timer (ANALYTICS_DASHBOARD_TEST_CRASH)`); }, crash.afterMs);
    await instance.waitUntilExit();
  } finally {
    untuneHeap();
    stopTrimming();
    store.stop();
    restore();
    process.off('exit', restore);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}
