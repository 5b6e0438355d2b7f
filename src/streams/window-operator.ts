/**
 * Windowed aggregation on event time: tumbling, hopping and session windows per group key.
 *
 * - A tumbling or hopping window is emitted (`insert`) once the watermark reaches its end, and
 *   emitted again (`update`, revision + 1) after a batch in which late events within the allowed
 *   lateness changed it. It is dropped from the state once the watermark passes end + lateness.
 * - An event is late for a window when the watermark before its batch is at or past the
 *   window's end + lateness; an event late for every window it falls in is refused.
 * - A session window is emitted once, when final (watermark ≥ end + lateness), because a late
 *   event can merge two sessions and move the start, which an `update` row could not express.
 */
import type { ColumnSpec } from '../lake/tables.js';
import type { Advance, Emission, Operator, ResultRow, ResultValue } from './operator.js';
import { iso } from './operator.js';
import type { AggregateFunction } from './schema.js';
import { compileWhere, type FieldValue, type Predicate, type StreamEvent } from './stream-event.js';
import { appendAll } from './append-all.js';

export interface AggregateSpec {
  name: string;
  fn: AggregateFunction;
  field?: string;
  where?: Predicate;
  /** Sums of decimals are kept as integers of 1/scale (exact); 0 keeps plain floats. */
  scale: number;
  sqlType: string;
}

export interface WindowJobSpec {
  name: string;
  eventTypes: string[];
  where: Predicate;
  window: { type: 'tumbling' | 'hopping'; size: number; advance: number } | { type: 'session'; gap: number };
  lateness: number;
  groupBy: { name: string; sqlType: string }[];
  aggregates: AggregateSpec[];
}

/** One aggregate's running value; plain JSON. */
interface AggState {
  n: number;
  s: number;
  /** min or max so far. */
  v: number | null;
  /** count_distinct values (keys) and percentile values. */
  d?: Record<string, 1>;
  dn?: number;
  values?: number[];
  /** ratio: events matching `where`. */
  m: number;
}

interface WindowEntry {
  start: number;
  end: number;
  keys: FieldValue[];
  /** Revisions emitted so far (0: not emitted). */
  emitted: number;
  /** JSON of `keys`, for ordering emissions. */
  keyText: string;
  changed: boolean;
  /** Session windows: time of the last event. */
  last?: number;
  aggs: AggState[];
}

export interface WindowState {
  /**
   * Tumbling and hopping windows by JSON keys, then by start. In memory these are Maps (string
   * keys built once per event, whose hash V8 caches, instead of one concatenated key per window);
   * in the checkpoint they are plain objects (`toJSON`), turned back into Maps by `revive`.
   */
  windows: WindowsByKey | Record<string, Record<string, WindowEntry>>;
  /** Session windows by JSON keys: a list per key. */
  sessions: Record<string, WindowEntry[]>;
}

/** A Map that serialises as a plain object (for the JSON checkpoint). */
class JsonMap<K, V> extends Map<K, V> {
  toJSON(): Record<string, V> {
    return Object.fromEntries(this) as Record<string, V>;
  }
}

/**
 * A group's windows by start / advance: a small integer, where a start in epoch ms is not (V8
 * boxes such a number at every lookup). The checkpoint keys them by start, as before.
 */
class WindowsByStart extends Map<number, WindowEntry> {
  toJSON(): Record<string, WindowEntry> {
    const byStart: Record<string, WindowEntry> = {};
    for (const entry of this.values()) byStart[entry.start] = entry;
    return byStart;
  }
}

type WindowsByKey = JsonMap<string, WindowsByStart>;

function newAgg(spec: AggregateSpec): AggState {
  const agg: AggState = { n: 0, s: 0, v: null, m: 0 };
  if (spec.fn === 'count_distinct') { agg.d = {}; agg.dn = 0; }
  if (spec.fn === 'p50' || spec.fn === 'p95' || spec.fn === 'p99') agg.values = [];
  return agg;
}

/**
 * What an event gives one aggregate, the same for every window it falls in (a hopping window
 * job puts an event in size / advance windows): whether it matches (ratio), 1 (count), the
 * distinct key, the number (sum and avg already scaled); undefined when it gives nothing. Taken
 * once per event, the `where` conditions are not evaluated again for every window.
 */
type Contribution = number | string | boolean | undefined;

function contributionOf(spec: AggregateSpec, event: StreamEvent): Contribution {
  if (spec.fn === 'ratio') return !spec.where || spec.where(event);
  if (spec.where && !spec.where(event)) return undefined;
  if (spec.fn === 'count') return 1;
  const value = event.fields[spec.field!];
  if (value === null || value === undefined) return undefined;
  if (spec.fn === 'count_distinct') return typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value !== 'number') return undefined;
  return (spec.fn === 'sum' || spec.fn === 'avg') && spec.scale > 0 ? Math.round(value * spec.scale) : value;
}

function addContribution(spec: AggregateSpec, agg: AggState, contribution: Contribution): void {
  if (contribution === undefined) return;
  switch (spec.fn) {
    case 'ratio':
      agg.n++;
      if (contribution === true) agg.m++;
      return;
    case 'count':
      agg.n++;
      return;
    case 'count_distinct':
      if (agg.d![contribution as string] === undefined) { agg.d![contribution as string] = 1; agg.dn!++; }
      return;
    default:
      break;
  }
  const value = contribution as number;
  agg.n++;
  switch (spec.fn) {
    case 'sum': case 'avg': agg.s += value; break;
    case 'min': agg.v = agg.v === null || value < agg.v ? value : agg.v; break;
    case 'max': agg.v = agg.v === null || value > agg.v ? value : agg.v; break;
    default: agg.values!.push(value);
  }
}

function mergeAgg(spec: AggregateSpec, into: AggState, from: AggState): void {
  into.n += from.n;
  into.s += from.s;
  into.m += from.m;
  if (from.v !== null) into.v = into.v === null ? from.v : spec.fn === 'min' ? Math.min(into.v, from.v) : Math.max(into.v, from.v);
  if (from.d) for (const key of Object.keys(from.d)) if (into.d![key] === undefined) { into.d![key] = 1; into.dn!++; }
  if (from.values) appendAll(into.values!, from.values);
}

/** Linear interpolation between the closest ranks (DuckDB's quantile_cont). */
export function quantileCont(values: readonly number[], q: number): number | null {
  return quantileOfSorted([...values].sort((a, b) => a - b), q);
}

function quantileOfSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/**
 * A percentile aggregate's values, sorted in place: their order does not matter to the state, and
 * a job's second and third percentile of the window find them sorted (one linear pass each).
 */
function sortedValues(agg: AggState): number[] {
  return agg.values!.sort((a, b) => a - b);
}

function aggValue(spec: AggregateSpec, agg: AggState): FieldValue {
  const unscale = (sum: number) => (spec.scale > 0 ? sum / spec.scale : sum);
  switch (spec.fn) {
    case 'count': return agg.n;
    case 'count_distinct': return agg.dn!;
    case 'sum': return agg.n === 0 ? null : unscale(agg.s);
    case 'avg': return agg.n === 0 ? null : unscale(agg.s) / agg.n;
    case 'min': case 'max': return agg.v;
    case 'ratio': return agg.n === 0 ? null : agg.m / agg.n;
    case 'p50': return quantileOfSorted(sortedValues(agg), 0.5);
    case 'p95': return quantileOfSorted(sortedValues(agg), 0.95);
    case 'p99': return quantileOfSorted(sortedValues(agg), 0.99);
  }
}

interface Group {
  keys: FieldValue[];
  keyText: string;
}

/** Group values, one Map level per group-by field, down to the group. */
type GroupCache = Map<FieldValue, GroupCache | Group>;

const NO_GROUP: Group = { keys: [], keyText: '[]' };
const MAX_CACHED_GROUPS = 100_000;

export class WindowOperator implements Operator<WindowState> {
  readonly kind = 'window' as const;
  readonly eventTypes: readonly string[];
  readonly columns: readonly ColumnSpec[];
  private readonly groups: GroupCache = new Map();
  /** The current event's contribution to each aggregate (advance), reused from event to event. */
  private readonly contributions: Contribution[];
  private cachedGroups = 0;

  constructor(readonly spec: WindowJobSpec, private readonly fieldsRead: string[]) {
    this.eventTypes = spec.eventTypes;
    this.contributions = spec.aggregates.map(() => undefined);
    this.columns = [
      { name: 'window_start', sqlType: 'TIMESTAMPTZ', description: 'Window start (UTC, inclusive).' },
      { name: 'window_end', sqlType: 'TIMESTAMPTZ', description: 'Window end (UTC, exclusive).' },
      ...spec.groupBy.map((key) => ({ name: key.name, sqlType: key.sqlType, description: `Group key ${key.name}.` })),
      ...spec.aggregates.map((agg) => ({ name: agg.name, sqlType: agg.sqlType, description: `${agg.fn}${agg.field ? ` of ${agg.field}` : ''}.` })),
      { name: 'revision', sqlType: 'INTEGER', description: '0 for the first emission of a window, n for its n-th update by late events.' },
    ];
  }

  fieldsOf(): string[] {
    return this.fieldsRead;
  }

  resultKey(row: ResultRow): ResultValue[] {
    return [row.window_start ?? null, ...this.spec.groupBy.map((key) => row[key.name] ?? null)];
  }

  initialState(): WindowState {
    return { windows: new JsonMap(), sessions: {} };
  }

  /** The in-memory form of the windows (Maps), converting a checkpoint's plain objects once. */
  revive(state: unknown): WindowState {
    const live = state as WindowState;
    if (live.windows instanceof JsonMap) return live;
    const advance = this.spec.window.type === 'session' ? 1 : this.spec.window.advance;
    const windows: WindowsByKey = new JsonMap();
    for (const [keyText, byStart] of Object.entries(live.windows)) {
      windows.set(keyText, new WindowsByStart(Object.values(byStart).map((entry) => [entry.start / advance, entry])));
    }
    live.windows = windows;
    return live;
  }

  stateEntries(state: WindowState): number {
    const live = this.revive(state);
    let sessions = 0;
    for (const list of Object.values(live.sessions)) sessions += list.length;
    let windows = 0;
    for (const byStart of (live.windows as WindowsByKey).values()) windows += byStart.size;
    return windows + sessions;
  }

  advance(state: WindowState, batch: readonly StreamEvent[], watermark: Advance, refuse: (event: StreamEvent, reason: string) => void): Emission[] {
    const { spec } = this;
    const before = watermark.before ?? -Infinity;
    const lateness = spec.lateness;
    const window = spec.window;
    const { aggregates } = spec;
    const windows = state.windows as WindowsByKey;
    for (const event of batch) {
      if (window.type === 'session') {
        if (event.time + lateness <= before) {
          refuse(event, `its time is at or before the watermark ${iso(before)} minus the allowed lateness`);
          continue;
        }
        if (spec.where(event)) this.addToSession(state, event, window.gap);
        continue;
      }
      const { size, advance } = window;
      // Windows containing t start at multiples of `advance` in (t - size, t].
      const lastStart = Math.floor(event.time / advance) * advance;
      let accepted = false;
      const matches = spec.where(event);
      let keys: FieldValue[] | undefined;
      let keyText = '';
      let byStart: WindowsByStart | undefined;
      const contributions = this.contributions;
      for (let start = lastStart; start > event.time - size; start -= advance) {
        const end = start + size;
        if (end + lateness <= before) continue;
        accepted = true;
        if (!matches) continue;
        if (keys === undefined) {
          ({ keys, keyText } = this.groupOf(event));
          byStart = windows.get(keyText);
          if (!byStart) windows.set(keyText, (byStart = new WindowsByStart()));
          for (let index = 0; index < aggregates.length; index++) contributions[index] = contributionOf(aggregates[index]!, event);
        }
        let entry = byStart!.get(start / advance);
        if (!entry) byStart!.set(start / advance, (entry = { start, end, keys, keyText, emitted: 0, changed: false, aggs: aggregates.map(newAgg) }));
        entry.changed = true;
        for (let index = 0; index < aggregates.length; index++) addContribution(aggregates[index]!, entry.aggs[index]!, contributions[index]);
      }
      if (!accepted) refuse(event, `every window it falls in ended at or before the watermark ${iso(before)} minus the allowed lateness`);
    }
    return this.emit(state, watermark.after);
  }

  /**
   * The event's group: its key values and their JSON (the windows' key), from a cache by value,
   * since building and stringifying them for every event of every window job was a fifth of the
   * operator's time. Cleared when it holds MAX_CACHED_GROUPS groups (a key of many values).
   */
  private groupOf(event: StreamEvent): Group {
    const { groupBy } = this.spec;
    if (groupBy.length === 0) return NO_GROUP;
    let level = this.groups;
    for (let index = 0; index < groupBy.length - 1; index++) {
      const value = event.fields[groupBy[index]!.name] ?? null;
      let next = level.get(value) as GroupCache | undefined;
      if (next === undefined) level.set(value, (next = new Map()));
      level = next;
    }
    const value = event.fields[groupBy[groupBy.length - 1]!.name] ?? null;
    let group = level.get(value) as Group | undefined;
    if (group === undefined) {
      if (this.cachedGroups >= MAX_CACHED_GROUPS) {
        this.groups.clear();
        this.cachedGroups = 0;
        return this.groupOf(event);
      }
      const keys = groupBy.map((key) => event.fields[key.name] ?? null);
      group = { keys, keyText: JSON.stringify(keys) };
      level.set(value, group);
      this.cachedGroups++;
    }
    return group;
  }

  private addToSession(state: WindowState, event: StreamEvent, gap: number): void {
    const { keys, keyText: id } = this.groupOf(event);
    const list = state.sessions[id] ?? (state.sessions[id] = []);
    const fresh: WindowEntry = { start: event.time, end: event.time + gap, last: event.time, keys, keyText: id, emitted: 0, changed: true, aggs: this.spec.aggregates.map(newAgg) };
    this.spec.aggregates.forEach((agg, index) => addContribution(agg, fresh.aggs[index]!, contributionOf(agg, event)));
    // Merge every session the new event touches (within `gap` of it on either side).
    const kept: WindowEntry[] = [];
    for (const session of list) {
      if (event.time >= session.start - gap && event.time <= session.end) {
        fresh.start = Math.min(fresh.start, session.start);
        fresh.last = Math.max(fresh.last!, session.last!);
        fresh.end = fresh.last + gap;
        this.spec.aggregates.forEach((agg, index) => mergeAgg(agg, fresh.aggs[index]!, session.aggs[index]!));
      } else {
        kept.push(session);
      }
    }
    kept.push(fresh);
    kept.sort((a, b) => a.start - b.start);
    state.sessions[id] = kept;
  }

  /** The row of an emitted entry: revision 0 for its first emission (`insert`), n for its n-th update. */
  private row(entry: WindowEntry, isoOf: (ms: number) => string): ResultRow {
    const { groupBy, aggregates } = this.spec;
    const row: ResultRow = { window_start: isoOf(entry.start), window_end: isoOf(entry.end) };
    for (let index = 0; index < groupBy.length; index++) row[groupBy[index]!.name] = entry.keys[index] ?? null;
    for (let index = 0; index < aggregates.length; index++) row[aggregates[index]!.name] = aggValue(aggregates[index]!, entry.aggs[index]!);
    row.revision = entry.emitted - 1;
    return row;
  }

  /**
   * The windows the watermark `after` closes or that late events changed, in the order (end,
   * start, keys), each counted as emitted once more; entries past end + lateness leave the state.
   */
  private emit(state: WindowState, after: number | null): Emission[] {
    if (after === null) return [];
    const lateness = this.spec.lateness;
    // Tumbling and hopping windows of one end share their start and differ in keys (one entry
    // per key and start): bucketed by end, each bucket is put in key order by the engine's own
    // string sort, where one comparator over every emitted window cost a tenth of a sparse job's
    // time (a hopping window per merchant: five rows per transaction).
    const byEnd = new Map<number, WindowEntry[]>();
    const windows = state.windows as WindowsByKey;
    for (const [keyText, byStart] of windows) {
      for (const [index, entry] of byStart) {
        if (entry.end <= after && entry.changed) {
          entry.emitted++;
          entry.changed = false;
          const bucket = byEnd.get(entry.end);
          if (bucket) bucket.push(entry);
          else byEnd.set(entry.end, [entry]);
        }
        if (entry.end + lateness <= after) byStart.delete(index);
      }
      if (byStart.size === 0) windows.delete(keyText);
    }
    const out: WindowEntry[] = [];
    for (const end of [...byEnd.keys()].sort((a, b) => a - b)) appendAll(out, inKeyOrder(byEnd.get(end)!));
    // Sessions: emitted once, when final; their starts and ends vary, so one sort.
    const sessions: WindowEntry[] = [];
    for (const [id, list] of Object.entries(state.sessions)) {
      const open = list.filter((session) => {
        if (session.end + lateness > after) return true;
        session.emitted = 1;
        sessions.push(session);
        return false;
      });
      if (open.length === 0) delete state.sessions[id];
      else state.sessions[id] = open;
    }
    if (sessions.length > 0) {
      sessions.sort((a, b) => a.end - b.end || a.start - b.start || (a.keyText < b.keyText ? -1 : a.keyText > b.keyText ? 1 : 0));
      appendAll(out, sessions);
    }
    // Many windows of one emission share their bounds: format each time once.
    const formatted = new Map<number, string>();
    const isoOf = (ms: number) => {
      let text = formatted.get(ms);
      if (text === undefined) formatted.set(ms, (text = iso(ms)));
      return text;
    };
    const emissions = new Array<Emission>(out.length);
    for (let index = 0; index < out.length; index++) {
      const entry = out[index]!;
      emissions[index] = { op: entry.emitted === 1 ? 'insert' : 'update', row: this.row(entry, isoOf) };
    }
    return emissions;
  }
}

/** Entries of distinct keys in the order of their keys' JSON (`<` on strings, as the default sort). */
function inKeyOrder(entries: WindowEntry[]): WindowEntry[] {
  if (entries.length < 2) return entries;
  const byKey = new Map<string, WindowEntry>();
  for (const entry of entries) byKey.set(entry.keyText, entry);
  if (byKey.size !== entries.length) throw new Error('window emission: two windows of one key and end');
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
}


export { compileWhere };
