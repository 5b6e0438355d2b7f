/**
 * The whole screen as a pure function of the store snapshot and the UI state: header, filter bar,
 * the grid (or a zoomed widget, the help overlay or a drill-down), footer. `analytics dashboard`
 * renders it live; `--once` and screen snapshots render it to a string.
 */
import { Box, Text } from 'ink';
import type { DrillResult } from '../data/drill-down.js';
import { gridLayout } from '../layout.js';
import type { LoadedDashboard } from '../load.js';
import type { DashboardSnapshot } from '../store.js';
import { describeRange } from '../time-range.js';
import { clock, fit } from './text.js';
import { WidgetPanel } from './WidgetPanel.js';
import { DataTable } from './widgets/DataTable.js';
import { EMPTY_VIEW, type WidgetView } from './widgets/props.js';

export type Overlay =
  | { kind: 'help' }
  | { kind: 'prompt'; purpose: 'filter' | 'range' | 'view'; text: string; error?: string }
  | { kind: 'drill'; status: 'loading' | 'ready' | 'error'; title: string; result?: DrillResult; error?: string; view: WidgetView };

export interface UiState {
  /** Index of the focused widget in dashboard.widgets. */
  focus: number;
  views: Readonly<Record<string, WidgetView>>;
  overlay: Overlay | null;
  zoom: boolean;
  message: string | null;
  viewName: string | null;
}

export const INITIAL_UI: UiState = { focus: 0, views: {}, overlay: null, zoom: false, message: null, viewName: null };

export const KEYS: ReadonlyArray<[string, string]> = [
  ['Tab / Shift+Tab', 'move focus between widgets'],
  ['↑ ↓ ← →', 'select a point, bar, row or country in the focused widget'],
  ['Enter', 'drill down: the events behind the selection'],
  ['f', 'filter bar: country=FR channel=ecommerce … (empty clears)'],
  ['1 2 3 4', 'time range: 15m, 1h, 24h, 7d'],
  ['t', 'custom time range: 6h, 3d, or FROM TO (ISO, UTC)'],
  ['s / S', 'table: sort by the next column / reverse the order'],
  ['PgUp PgDn', 'table: previous / next page'],
  ['e / E', 'export the focused widget (or drill-down) to CSV / JSON'],
  ['p', 'save a text snapshot of the screen'],
  ['w', 'save the filters, time range and layout as a named view (--view NAME)'],
  ['z', 'zoom the focused widget to the whole screen, and back'],
  ['r', 'refresh every widget now'],
  ['?', 'this help; Esc closes it'],
  ['q / Ctrl+C', 'quit (the terminal is restored)'],
];

function Help({ width, height }: { width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor="cyan" paddingX={1}>
      <Text bold color="cyan">Keys</Text>
      {KEYS.map(([key, text]) => (
        <Text key={key} wrap="truncate"><Text bold>{fit(key, 18)}</Text>{text}</Text>
      ))}
      <Text dimColor>Esc or ? closes this help.</Text>
    </Box>
  );
}

function DrillView({ overlay, width, height, spinner }: { overlay: Extract<Overlay, { kind: 'drill' }>; width: number; height: number; spinner: string }) {
  const inner = width - 2;
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="double" borderColor="magenta">
      <Text bold color="magenta" wrap="truncate">{fit(`${overlay.title}${overlay.result ? ` · ${overlay.result.limited ? `the latest ${overlay.result.rows.length} events (more exist: narrow the filter or range)` : `${overlay.result.rows.length} events`}` : ''} · Esc back · e/E export`, inner)}</Text>
      {overlay.status === 'loading' ? <Text dimColor>{`${spinner} loading events…`}</Text> : null}
      {overlay.status === 'error' ? <Text color="red" wrap="wrap">{(overlay.error ?? '').slice(0, inner * (height - 3))}</Text> : null}
      {overlay.status === 'ready' && overlay.result ? (
        <DataTable
          data={{ kind: 'table', columns: overlay.result.columns, rows: overlay.result.rows, format: 'number' }}
          width={inner}
          height={height - 3}
          selected={overlay.view.selected}
          page={overlay.view.page}
          {...(overlay.view.sort ? { sort: overlay.view.sort } : {})}
          focused
          pageLimit={500}
        />
      ) : null}
    </Box>
  );
}

export interface ScreenProps {
  dashboard: LoadedDashboard;
  snapshot: DashboardSnapshot;
  ui: UiState;
  columns: number;
  lines: number;
  spinner: string;
  now: Date;
  /** Terminal lines left free below the screen (see gridLayout). */
  reservedLines?: number;
}

export function Screen({ dashboard, snapshot, ui, columns, lines, spinner, now, reservedLines = 0 }: ScreenProps) {
  const focused = dashboard.widgets[ui.focus];
  const layout = gridLayout(dashboard, columns, lines, ui.zoom ? focused?.id : undefined, reservedLines);
  const range = snapshot.range;
  const filters = Object.entries(snapshot.filters).map(([key, value]) => `${key}=${value}`).join(' ');
  const short = (date: Date) => (range.to.getTime() - range.from.getTime() < 86_400_000 ? clock(date).slice(0, 5) : date.toISOString().slice(5, 16).replace('T', ' '));
  const rangeText = range.name === 'custom' ? describeRange(range) : `${describeRange(range)} (${short(range.from)}–${short(range.to)} UTC)`;
  const left = ` ${dashboard.config.title} · ${rangeText}${ui.viewName ? ` · view ${ui.viewName}` : ''}`;
  const right = `${clock(now)} UTC `;
  const header = fit(left, Math.max(0, columns - right.length)) + right;
  const prompt = ui.overlay?.kind === 'prompt' ? ui.overlay : null;
  const promptLabel = prompt ? { filter: 'filter', range: 'time range', view: 'save view as' }[prompt.purpose] : '';
  const bar = prompt
    ? `${promptLabel}> ${prompt.text}█${prompt.error ? `   ${prompt.error}` : `   (Enter apply · Esc cancel${prompt.purpose === 'filter' ? ` · dimensions: ${dashboard.config.filters.join(', ') || 'none declared'}` : ''})`}`
    : `Filters: ${filters || 'none'}${ui.message ? `   ${ui.message}` : ''}`;
  const footer = ' Tab focus · arrows select · Enter drill · f filter · 1-4/t range · e/E export · p snapshot · w view · z zoom · ? help · q quit';
  const gridHeight = lines - 3;
  let body;
  if (layout.tooSmall) {
    body = <Box height={gridHeight}><Text color="yellow" wrap="wrap">{layout.tooSmall}</Text></Box>;
  } else if (ui.overlay?.kind === 'help') {
    body = <Help width={columns} height={gridHeight} />;
  } else if (ui.overlay?.kind === 'drill') {
    body = <DrillView overlay={ui.overlay} width={columns} height={gridHeight} spinner={spinner} />;
  } else {
    body = (
      <Box flexDirection="column" height={gridHeight}>
        {layout.rows.map((row, rowIndex) => (
          <Box key={rowIndex} flexDirection="row" height={row.height}>
            {row.widgets.map((box) => {
              const widget = dashboard.widgets.find((candidate) => candidate.id === box.id)!;
              return (
                <WidgetPanel
                  key={box.id}
                  widget={widget}
                  state={snapshot.widgets[box.id]!}
                  outerWidth={box.width}
                  outerHeight={box.height}
                  width={box.width - 2}
                  height={box.height - 3}
                  focused={focused?.id === box.id}
                  view={ui.views[box.id] ?? EMPTY_VIEW}
                  feed={snapshot.feed}
                  spinner={spinner}
                />
              );
            })}
          </Box>
        ))}
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={columns} height={lines}>
      <Text inverse bold wrap="truncate">{header}</Text>
      <Text wrap="truncate" {...(prompt?.error ? { color: 'red' } : {})}>{fit(bar, columns)}</Text>
      {body}
      <Text dimColor wrap="truncate">{fit(footer, columns)}</Text>
    </Box>
  );
}
