/**
 * Starting the dashboard: one frame to a string (`--once`), or the live, interactive screen on
 * the terminal's alternate buffer. The terminal is restored on quit, on SIGTERM/SIGHUP and on a
 * crash (the restore runs from the process's exit hook too).
 */
import { render, renderToString } from 'ink';
import type { Workspace } from '../workspace/workspace.js';
import { FeedClient } from './feed/feed-client.js';
import type { LoadedDashboard } from './load.js';
import type { TimeRangeName } from './schema.js';
import { DashboardStore, widgetStream } from './store.js';
import type { TimeRange } from './time-range.js';
import { App } from './ui/App.js';
import { INITIAL_UI, Screen, type UiState } from './ui/Screen.js';

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

const ENTER_SCREEN = '\u001b[?1049h\u001b[?25l';
const LEAVE_SCREEN = '\u001b[?25h\u001b[?1049l';

/** Runs the live dashboard until the user quits. */
export async function runLiveDashboard(workspace: Workspace, dashboard: LoadedDashboard, options: DashboardStart & { outputDir: string; stdout?: NodeJS.WriteStream; stdin?: NodeJS.ReadStream }): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
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
    process.stderr.write(`Internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  };
  process.on('exit', restore);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.write(ENTER_SCREEN);
  try {
    const instance = render(<App workspace={workspace} store={store} initialUi={{ ...INITIAL_UI, ...options.ui }} outputDir={options.outputDir} />, { stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 20 });
    store.start();
    await instance.waitUntilExit();
  } finally {
    store.stop();
    restore();
    process.off('exit', restore);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}
