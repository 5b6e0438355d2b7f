/**
 * The interactive dashboard: keyboard handling and UI state around the pure {@link Screen}.
 * Data comes from the {@link DashboardStore} (useSyncExternalStore), so rendering never waits
 * for a query. Timers: the clock (1 s) and the spinner (only while something loads).
 */
import path from 'node:path';
import { Box, renderToString, useApp, useInput, useStdout, type Key } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Workspace } from '../../workspace/workspace.js';
import { drillDown } from '../data/drill-down.js';
import { exportTable, writeScreenSnapshot } from '../exports.js';
import type { LoadedDashboard } from '../load.js';
import { TIME_RANGES } from '../schema.js';
import { drillTarget, initialSelection, itemCount } from '../selection.js';
import type { DashboardStore } from '../store.js';
import { parseCustomRange } from '../time-range.js';
import { checkViewName, saveView } from '../views.js';
import { pageSize } from './widgets/DataTable.js';
import { EMPTY_VIEW, type WidgetView } from './widgets/props.js';
import { Screen, type UiState } from './Screen.js';
import { SPINNER_FRAMES } from './text.js';
import { parseFilters } from '../filters.js';

export interface AppProps {
  workspace: Workspace;
  store: DashboardStore;
  initialUi: UiState;
  /** Where exports and snapshots are written. */
  outputDir: string;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  size?: { columns: number; lines: number };
  onQuit?: () => void;
  /** Tests only (ANALYTICS_DASHBOARD_TEST_CRASH): throw during a render this long after mounting. */
  crashAfterMs?: number;
}

function useTerminalSize(fixed?: { columns: number; lines: number }): { columns: number; lines: number } {
  const { stdout } = useStdout();
  // One line is left free: output as tall as the terminal makes Ink clear the screen every frame.
  const read = () => fixed ?? { columns: stdout.columns || 120, lines: Math.max(10, (stdout.rows || 40) - 1) };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return size;
}

export function App({ workspace, store, initialUi, outputDir, size: fixedSize, onQuit, crashAfterMs }: AppProps) {
  const { exit } = useApp();
  const [crashNow, setCrashNow] = useState(false);
  useEffect(() => {
    if (crashAfterMs === undefined) return;
    const timer = setTimeout(() => setCrashNow(true), crashAfterMs);
    return () => clearTimeout(timer);
  }, [crashAfterMs]);
  if (crashNow) throw new Error('test crash in a render (ANALYTICS_DASHBOARD_TEST_CRASH)');
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const dashboard: LoadedDashboard = store.dashboard;
  const [ui, setUiState] = useState<UiState>(initialUi);
  // Keys can arrive faster than React re-renders: every handler reads and writes the newest UI
  // state through this ref, never a value captured by an older render.
  const uiRef = useRef(ui);
  const setUi = useCallback((next: UiState | ((current: UiState) => UiState)) => {
    uiRef.current = typeof next === 'function' ? next(uiRef.current) : next;
    setUiState(uiRef.current);
  }, []);
  const { columns, lines } = useTerminalSize(fixedSize);
  const [now, setNow] = useState(() => new Date());
  const [spin, setSpin] = useState(0);

  const busy = Object.values(snapshot.widgets).some((widget) => widget.refreshing) || (ui.overlay?.kind === 'drill' && ui.overlay.status === 'loading') || snapshot.feed?.state === 'connecting';
  useEffect(() => {
    const clock = setInterval(() => setNow(new Date()), 1_000);
    return () => clearInterval(clock);
  }, []);
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => setSpin((value) => (value + 1) % SPINNER_FRAMES.length), 120);
    return () => clearInterval(timer);
  }, [busy]);

  // A widget whose data arrives for the first time starts its selection at its natural place.
  const seeded = useRef(new Set<string>());
  useEffect(() => {
    const fresh: Record<string, WidgetView> = {};
    for (const widget of dashboard.widgets) {
      const data = snapshot.widgets[widget.id]?.result?.data;
      if (data && !seeded.current.has(widget.id)) {
        seeded.current.add(widget.id);
        if (!ui.views[widget.id]) fresh[widget.id] = { ...EMPTY_VIEW, selected: initialSelection(data) };
      }
    }
    if (Object.keys(fresh).length > 0) setUi((current) => ({ ...current, views: { ...fresh, ...current.views } }));
  }, [snapshot, dashboard.widgets, ui.views]);

  const current = () => {
    const state = uiRef.current;
    const widget = dashboard.widgets[state.focus] ?? dashboard.widgets[0]!;
    const latest = store.getSnapshot();
    return { ui: state, snapshot: latest, focused: widget, focusedState: latest.widgets[widget.id]!, view: state.views[widget.id] ?? EMPTY_VIEW };
  };

  const say = useCallback((message: string) => setUi((state) => ({ ...state, message })), [setUi]);
  const setView = (id: string, change: Partial<WidgetView>) => setUi((current) => ({ ...current, views: { ...current.views, [id]: { ...(current.views[id] ?? EMPTY_VIEW), ...change } } }));

  const screenText = () =>
    renderToString(<Screen dashboard={dashboard} snapshot={store.getSnapshot()} ui={{ ...uiRef.current, message: null }} columns={columns} lines={lines} spinner=" " now={new Date()} />, { columns })
      // Snapshots are for reading and diffing: no colour codes.
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, '');

  const quit = () => {
    store.stop();
    onQuit?.();
    exit();
  };

  const openDrill = () => {
    const { focused, focusedState, view, snapshot } = current();
    const target = drillTarget(focused, focusedState.result?.data, view, snapshot.range);
    if (typeof target === 'string') return say(target);
    if ('rows' in target) {
      const columnsOf = [...new Set(target.rows.flatMap((row) => Object.keys(row)))];
      setUi((current) => ({ ...current, overlay: { kind: 'drill', status: 'ready', title: `${focused.title}: ${target.label}`, result: { title: target.label, sql: '', columns: columnsOf, rows: target.rows as never, limited: false }, view: EMPTY_VIEW } }));
      return;
    }
    setUi((current) => ({ ...current, overlay: { kind: 'drill', status: 'loading', title: `${focused.title}: ${target.label}`, view: EMPTY_VIEW } }));
    drillDown(workspace, dashboard.metrics, target, snapshot.filters).then(
      (result) => setUi((current) => (current.overlay?.kind === 'drill' ? { ...current, overlay: { ...current.overlay, status: 'ready', result } } : current)),
      (error: unknown) => setUi((current) => (current.overlay?.kind === 'drill' ? { ...current, overlay: { ...current.overlay, status: 'error', error: error instanceof Error ? error.message.split('\n')[0]! : String(error) } } : current)),
    );
  };

  const doExport = (format: 'csv' | 'json') => {
    const { focused, focusedState } = current();
    const overlay = uiRef.current.overlay;
    const table = overlay?.kind === 'drill' && overlay.result
      ? { columns: overlay.result.columns, rows: overlay.result.rows }
      : focusedState.result?.export;
    if (!table) return say('nothing to export yet');
    const name = overlay?.kind === 'drill' ? `${focused.id}-drill` : `${focused.id}-${focused.title}`;
    exportTable(table, format, outputDir, name).then((file) => say(`exported ${table.rows.length} row${table.rows.length === 1 ? '' : 's'} to ${path.basename(file)} (in ${path.dirname(file)})`), (error: unknown) => say(`export failed: ${String(error)}`));
  };

  const applyPrompt = (overlay: Extract<UiState['overlay'], { kind: 'prompt' }>) => {
    const { ui, focused, snapshot } = current();
    if (overlay.purpose === 'filter') {
      const filters = parseFilters(overlay.text, dashboard.config.filters);
      if (typeof filters === 'string') return setUi((current) => ({ ...current, overlay: { ...overlay, error: filters } }));
      store.setFilters(filters);
      return setUi((current) => ({ ...current, overlay: null, message: Object.keys(filters).length ? null : 'filters cleared' }));
    }
    if (overlay.purpose === 'range') {
      const range = parseCustomRange(overlay.text);
      if (typeof range === 'string') return setUi((current) => ({ ...current, overlay: { ...overlay, error: range } }));
      store.setRange(range);
      return setUi((current) => ({ ...current, overlay: null, message: null }));
    }
    const problem = checkViewName(overlay.text);
    if (problem) return setUi((current) => ({ ...current, overlay: { ...overlay, error: problem } }));
    const range = snapshot.range;
    saveView(workspace, overlay.text, {
      dashboard: dashboard.name,
      time_range: range.name === 'custom' ? { from: range.from.toISOString(), to: range.to.toISOString() } : range.name,
      filters: { ...snapshot.filters },
      focus: focused.id,
      zoom: ui.zoom,
    }).then(
      (file) => setUi((current) => ({ ...current, overlay: null, viewName: overlay.text, message: `view saved to ${path.basename(file)} (open it with --view ${overlay.text})` })),
      (error: unknown) => setUi((current) => ({ ...current, overlay: { ...overlay, error: String(error) } })),
    );
  };

  const handleKey = (input: string, key: Key) => {
    const { ui, snapshot, focused, focusedState, view } = current();
    const overlay = ui.overlay;
    if (overlay?.kind === 'prompt') {
      if (key.escape) return setUi({ ...ui, overlay: null });
      if (key.return) return applyPrompt(overlay);
      if (key.backspace || key.delete) return setUi({ ...ui, overlay: { ...overlay, text: overlay.text.slice(0, -1) } });
      if (input && !key.ctrl && !key.meta) {
        const { error: _error, ...rest } = overlay;
        return setUi({ ...ui, overlay: { ...rest, text: overlay.text + input } });
      }
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) return quit();
    if (overlay?.kind === 'help') {
      if (key.escape || input === '?') setUi({ ...ui, overlay: null });
      return;
    }
    if (overlay?.kind === 'drill') {
      const count = overlay.result?.rows.length ?? 0;
      const size = pageSize(lines - 6, 500);
      const move = (selected: number) => {
        const clamped = Math.max(0, Math.min(count - 1, selected));
        setUi({ ...ui, overlay: { ...overlay, view: { ...overlay.view, selected: clamped, page: Math.floor(clamped / size) } } });
      };
      if (key.escape) return setUi({ ...ui, overlay: null });
      if (key.downArrow) return move(overlay.view.selected + 1);
      if (key.upArrow) return move(overlay.view.selected - 1);
      if (key.pageDown) return move(overlay.view.selected + size);
      if (key.pageUp) return move(overlay.view.selected - size);
      if (input === 'e' || input === 'E') return doExport(input === 'e' ? 'csv' : 'json');
      if (input === 'p') return void writeScreenSnapshot(screenText(), outputDir).then((file) => say(`screen saved to ${path.basename(file)} (in ${path.dirname(file)})`));
      return;
    }
    const count = itemCount(focusedState.result?.data);
    const select = (selected: number) => {
      const clamped = Math.max(0, Math.min(Math.max(0, count - 1), selected));
      const data = focusedState.result?.data;
      const tableSize = data?.kind === 'table' ? pageSize(layoutBodyHeight(), focused.config.type === 'table' ? focused.config.page_size : 50) : 0;
      setView(focused.id, { selected: clamped, ...(tableSize ? { page: Math.floor(clamped / tableSize) } : {}) });
    };
    const layoutBodyHeight = () => {
      const row = dashboard.config.rows[focused.row]!;
      const total = dashboard.config.rows.reduce((sum, r) => sum + r.height, 0);
      return ui.zoom ? lines - 6 : Math.floor(((lines - 3) * row.height) / total) - 3;
    };
    if (key.tab) {
      const step = key.shift ? -1 : 1;
      return setUi({ ...ui, focus: (ui.focus + step + dashboard.widgets.length) % dashboard.widgets.length, message: null });
    }
    const data = focusedState.result?.data;
    const horizontal = data?.kind === 'series';
    if (key.rightArrow || key.downArrow) {
      if ((horizontal && key.rightArrow) || (!horizontal && key.downArrow)) return select(view.selected + 1);
      return setUi({ ...ui, focus: (ui.focus + 1) % dashboard.widgets.length });
    }
    if (key.leftArrow || key.upArrow) {
      if ((horizontal && key.leftArrow) || (!horizontal && key.upArrow)) return select(view.selected - 1);
      return setUi({ ...ui, focus: (ui.focus - 1 + dashboard.widgets.length) % dashboard.widgets.length });
    }
    if (key.pageDown || key.pageUp) {
      const size = pageSize(layoutBodyHeight(), focused.config.type === 'table' ? focused.config.page_size : 50);
      return select(view.selected + (key.pageDown ? size : -size));
    }
    if (key.return) return openDrill();
    if (input === '?') return setUi({ ...ui, overlay: { kind: 'help' } });
    if (input === 'f') return setUi({ ...ui, overlay: { kind: 'prompt', purpose: 'filter', text: Object.entries(snapshot.filters).map(([k, v]) => `${k}=${v}`).join(' ') } });
    if (input === 't') return setUi({ ...ui, overlay: { kind: 'prompt', purpose: 'range', text: '' } });
    if (input === 'w') return setUi({ ...ui, overlay: { kind: 'prompt', purpose: 'view', text: ui.viewName ?? '' } });
    const preset = ['1', '2', '3', '4'].indexOf(input);
    if (preset >= 0) {
      store.setRange(TIME_RANGES[preset]!);
      return setUi({ ...ui, message: null });
    }
    if (input === 'z') return setUi({ ...ui, zoom: !ui.zoom });
    if (input === 'r') {
      store.refresh();
      return say('refreshing');
    }
    if (input === 'e' || input === 'E') return doExport(input === 'e' ? 'csv' : 'json');
    if (input === 'p') return void writeScreenSnapshot(screenText(), outputDir).then((file) => say(`screen saved to ${path.basename(file)} (in ${path.dirname(file)})`), (error: unknown) => say(`snapshot failed: ${String(error)}`));
    if ((input === 's' || input === 'S') && data?.kind === 'table') {
      if (input === 'S') return setView(focused.id, { sort: { column: view.sort?.column ?? data.valueColumn ?? data.columns[0]!, descending: !(view.sort?.descending ?? true) } });
      const currentIndex = view.sort ? data.columns.indexOf(view.sort.column) : -1;
      const column = data.columns[(currentIndex + 1) % data.columns.length]!;
      return setView(focused.id, { sort: { column, descending: true }, selected: 0, page: 0 });
    }
  };

  // Keys typed faster than they are read arrive as one chunk ("\t\t", "1q"): one key each.
  useInput((input, key) => {
    if (input.length > 1 && !input.startsWith('\u001b') && !key.ctrl && !key.meta) {
      for (const char of input) handleKey(char, { ...key, tab: char === '\t', return: char === '\r', backspace: char === '\b', delete: char === '\u007f' });
      return;
    }
    handleKey(input, key);
  });

  return (
    <Box>
      <Screen dashboard={dashboard} snapshot={snapshot} ui={ui} columns={columns} lines={lines} spinner={SPINNER_FRAMES[spin]!} now={now} reservedLines={fixedSize ? 0 : 1} />
    </Box>
  );
}
