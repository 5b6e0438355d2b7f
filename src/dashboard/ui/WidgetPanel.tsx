/**
 * A widget in its frame: title, a spinner while a refresh runs, the error inside the frame when
 * its query failed (the last good data stays below it), "stale since …" for a lost live feed.
 */
import { Box, Text } from 'ink';
import { widgetStream } from '../store.js';
import { clock, fit } from './text.js';
import { BarChart } from './widgets/BarChart.js';
import { DataTable } from './widgets/DataTable.js';
import { EventLog } from './widgets/EventLog.js';
import { KpiTile } from './widgets/KpiTile.js';
import { LineChart } from './widgets/LineChart.js';
import type { WidgetData } from '../data/types.js';
import type { FeedState } from '../../streams/feed-client.js';
import type { WidgetProps } from './widgets/props.js';
import { QueryRows } from './widgets/QueryRows.js';
import { StatusPanel } from './widgets/StatusPanel.js';
import { WorldMap } from './widgets/WorldMap.js';

function Body(props: WidgetProps & { spinner: string }) {
  const { state, width, height, focused, view, widget } = props;
  const data = state.result?.data;
  if (!data) {
    // Bodies never draw past their height (no clipping: Ink's clipping costs a frame dearly).
    if (state.status === 'error') return <Text color="red" wrap="wrap">{(state.error ?? '').slice(0, Math.max(1, width * height - 1))}</Text>;
    return <Text dimColor>{`${props.spinner} loading…`}</Text>;
  }
  const stream = widgetStream(widget);
  if (stream && isEmpty(data)) return <Text dimColor wrap="truncate">{fit(waitingForStream(stream, props.feed), width)}</Text>;
  const common = { width, height, selected: view.selected, focused };
  switch (data.kind) {
    case 'kpi': return <KpiTile data={data} width={width} height={height} />;
    case 'series': return <LineChart data={data} {...common} />;
    case 'bars': return <BarChart data={data} {...common} />;
    case 'table': return <DataTable data={data} {...common} page={view.page} {...(view.sort ? { sort: view.sort } : {})} pageLimit={widget.config.type === 'table' ? widget.config.page_size : 50} />;
    case 'map': return <WorldMap data={data} {...common} />;
    case 'log': return <EventLog data={data} {...common} />;
    case 'rows': return <QueryRows data={data} {...common} />;
    case 'status': return <StatusPanel data={data} feed={props.feed} width={width} height={height} />;
  }
}

const isEmpty = (data: WidgetData) => ('rows' in data && data.rows.length === 0) || ('x' in data && data.x.length === 0) || ('bars' in data && data.bars.length === 0) || (data.kind === 'map' && data.values.length === 0 && data.points.length === 0);

/** What a stream widget without results says: why nothing has arrived yet. */
export function waitingForStream(stream: string, feed: FeedState | null): string {
  if (!feed) return 'no live feed in a one-frame print (--once)';
  switch (feed.state) {
    case 'absent': return 'no live feed: run analytics ingest kafka';
    case 'connecting': return 'connecting to the live feed…';
    case 'stale': return `stale since ${feed.since ? clock(feed.since) : '?'}: reconnecting`;
    case 'live': return `waiting for ${stream} results`;
  }
}

/** The note on the title line: what the widget is doing or what is wrong with its data. */
export function titleNote(props: WidgetProps & { spinner: string }): { text: string; color?: string } {
  const { state, feed, widget } = props;
  const stream = widgetStream(widget);
  if (stream && !feed) return { text: 'no live feed', color: 'gray' };
  if (stream && feed) {
    if (feed.state === 'stale') return { text: `stale since ${feed.since ? clock(feed.since) : '?'}`, color: 'yellow' };
    if (feed.state === 'absent') return { text: 'no live feed', color: 'gray' };
    if (feed.state === 'connecting') return { text: `${props.spinner} connecting`, color: 'yellow' };
  }
  if (state.status === 'error' && state.result) return { text: 'refresh failed', color: 'red' };
  if (state.refreshing) return { text: props.spinner, color: 'cyan' };
  const ignored = state.result?.ignoredFilters ?? [];
  if (ignored.length > 0) return { text: `filter ${ignored.join(',')} n/a`, color: 'gray' };
  return { text: '' };
}

export function WidgetPanel(props: WidgetProps & { spinner: string; outerWidth: number; outerHeight: number }) {
  const { widget, focused, state } = props;
  const note = titleNote(props);
  const inner = props.outerWidth - 2;
  const noteText = note.text ? ` ${note.text}` : '';
  const titleWidth = Math.max(1, inner - [...noteText].length);
  return (
    <Box flexDirection="column" width={props.outerWidth} height={props.outerHeight} borderStyle={focused ? 'bold' : 'round'} borderColor={focused ? 'cyan' : 'gray'}>
      <Text wrap="truncate">
        <Text bold={focused} color={focused ? 'cyan' : 'white'}>{fit(widget.title, titleWidth)}</Text>
        <Text {...(note.color ? { color: note.color } : {})}>{noteText}</Text>
      </Text>
      {state.status === 'error' && state.result ? <Text color="red" wrap="truncate">{fit(state.error ?? '', inner)}</Text> : null}
      <Body {...props} height={props.height - (state.status === 'error' && state.result ? 1 : 0)} />
    </Box>
  );
}
