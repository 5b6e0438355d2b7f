/**
 * Brute-force references for the stream operators: each recomputes a job's results from the
 * whole list of batches with the simplest possible code (no incremental state), following the
 * documented semantics (docs/streams.md):
 * - the watermark after a batch is the largest event time seen so far (future events excluded);
 * - an event is judged against the watermark before its batch.
 */
import { quantileCont } from '../../../src/streams/window-operator.js';
import type { FieldValue, StreamEvent } from '../../../src/streams/stream-event.js';
import type { Batch } from './random-events.js';

export interface Judged {
  event: StreamEvent;
  batch: number;
  /** Watermark before the event's batch (-Infinity at first). */
  before: number;
}

/**
 * Events of the given types with the watermark before their batch; future ones and the
 * watermark after each batch: the smallest, over the types, of each type's newest event time,
 * never moving back, and unset until every type has been seen.
 */
export function judge(batches: Batch[], types: string[], skew: number): { events: Judged[]; future: string[]; watermarks: number[] } {
  let watermark = -Infinity;
  const newest = new Map<string, number>();
  const events: Judged[] = [];
  const future: string[] = [];
  const watermarks: number[] = [];
  batches.forEach((batch, index) => {
    const before = watermark;
    for (const event of batch.events) {
      if (!types.includes(event.type)) continue;
      if (event.time > batch.ingestedAt + skew) { future.push(event.id); continue; }
      events.push({ event, batch: index, before });
      newest.set(event.type, Math.max(newest.get(event.type) ?? -Infinity, event.time));
    }
    if (newest.size === new Set(types).size) watermark = Math.max(watermark, Math.min(...newest.values()));
    watermarks.push(watermark);
  });
  return { events, future, watermarks };
}

type Pred = (event: StreamEvent) => boolean;

export interface RefAggregate { name: string; fn: string; field?: string; where?: Pred }

export function aggregate(agg: RefAggregate, events: StreamEvent[]): FieldValue {
  if (agg.fn === 'ratio') return events.length === 0 ? null : events.filter(agg.where!).length / events.length;
  const rows = agg.where ? events.filter(agg.where) : events;
  if (agg.fn === 'count') return rows.length;
  const values = rows.map((event) => event.fields[agg.field!]).filter((value) => value !== null && value !== undefined);
  if (agg.fn === 'count_distinct') return new Set(values.map((value) => JSON.stringify(value))).size;
  const numbers = values as number[];
  if (numbers.length === 0) return null;
  switch (agg.fn) {
    case 'sum': return numbers.reduce((a, b) => a + b, 0);
    case 'avg': return numbers.reduce((a, b) => a + b, 0) / numbers.length;
    case 'min': return Math.min(...numbers);
    case 'max': return Math.max(...numbers);
    case 'p50': return quantileCont(numbers, 0.5);
    case 'p95': return quantileCont(numbers, 0.95);
    default: return quantileCont(numbers, 0.99);
  }
}

export interface RefLogEntry { op: 'insert' | 'update'; start: number; end: number; keys: FieldValue[]; events: StreamEvent[]; revision: number }

/** Tumbling/hopping: the full emission log, batch by batch. */
export function referenceWindows(batches: Batch[], options: { types: string[]; skew: number; size: number; advance: number; lateness: number; groupBy: string[]; where: Pred }): { log: RefLogEntry[]; late: string[]; future: string[] } {
  const { events, future, watermarks } = judge(batches, options.types, options.skew);
  const accepted = new Map<string, { start: number; end: number; keys: FieldValue[]; events: { event: StreamEvent; batch: number }[] }>();
  const late: string[] = [];
  for (const { event, batch, before } of events) {
    let any = false;
    // Every window start (multiple of advance) with start <= t < start + size.
    for (let start = Math.floor((event.time - options.size) / options.advance) * options.advance; start <= event.time; start += options.advance) {
      if (!(start <= event.time && event.time < start + options.size)) continue;
      if (start + options.size + options.lateness <= before) continue;
      any = true;
      if (!options.where(event)) continue;
      const keys = options.groupBy.map((name) => event.fields[name] ?? null);
      const id = `${start}|${JSON.stringify(keys)}`;
      const entry = accepted.get(id) ?? { start, end: start + options.size, keys, events: [] };
      entry.events.push({ event, batch });
      accepted.set(id, entry);
    }
    if (!any) late.push(event.id);
  }
  const log: RefLogEntry[] = [];
  batches.forEach((_, b) => {
    const watermark = watermarks[b]!;
    const entries: RefLogEntry[] = [];
    for (const window of accepted.values()) {
      if (window.end > watermark) continue;
      const upTo = window.events.filter((item) => item.batch <= b);
      if (upTo.length === 0) continue;
      // Revisions: the number of batches, up to b, after which this window was emitted.
      const emittedAt: number[] = [];
      for (let k = 0; k <= b; k++) {
        if (window.end > watermarks[k]!) continue;
        const touched = emittedAt.length === 0 ? window.events.some((item) => item.batch <= k) : window.events.some((item) => item.batch === k);
        if (touched) emittedAt.push(k);
      }
      if (emittedAt.at(-1) !== b) continue;
      entries.push({ op: emittedAt.length === 1 ? 'insert' : 'update', start: window.start, end: window.end, keys: window.keys, events: upTo.map((item) => item.event), revision: emittedAt.length - 1 });
    }
    entries.sort((a, x) => a.end - x.end || a.start - x.start || (JSON.stringify(a.keys) < JSON.stringify(x.keys) ? -1 : 1));
    log.push(...entries);
  });
  return { log, late, future };
}

/** Session windows: the final sessions whose end + lateness the last watermark passed. */
export function referenceSessions(batches: Batch[], options: { types: string[]; skew: number; gap: number; lateness: number; groupBy: string[]; where: Pred }): { sessions: { start: number; end: number; keys: FieldValue[]; events: StreamEvent[] }[]; late: string[] } {
  const { events, watermarks } = judge(batches, options.types, options.skew);
  const late: string[] = [];
  const byKey = new Map<string, StreamEvent[]>();
  for (const { event, before } of events) {
    if (event.time + options.lateness <= before) { late.push(event.id); continue; }
    if (!options.where(event)) continue;
    const key = JSON.stringify(options.groupBy.map((name) => event.fields[name] ?? null));
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  const final = watermarks.at(-1) ?? -Infinity;
  const sessions: { start: number; end: number; keys: FieldValue[]; events: StreamEvent[] }[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.time - b.time);
    let current: StreamEvent[] = [];
    const close = () => {
      if (current.length === 0) return;
      const end = current.at(-1)!.time + options.gap;
      if (end + options.lateness <= final) sessions.push({ start: current[0]!.time, end, keys: JSON.parse(key) as FieldValue[], events: current });
      current = [];
    };
    for (const event of list) {
      if (current.length > 0 && event.time > current.at(-1)!.time + options.gap) close();
      current.push(event);
    }
    close();
  }
  return { sessions, late };
}

export interface RefSide { type: string; key: string; where: Pred }

/** Join: every pair of accepted events with equal keys within the bound; unmatched ones past their bound. */
export function referenceJoin(batches: Batch[], options: { skew: number; left: RefSide; right: RefSide; within: number; lateness: number }): { pairs: string[]; unmatchedLeft: string[]; unmatchedRight: string[]; late: string[] } {
  const { events, watermarks } = judge(batches, [...new Set([options.left.type, options.right.type])], options.skew);
  const late: string[] = [];
  const left: StreamEvent[] = [];
  const right: StreamEvent[] = [];
  for (const { event, before } of events) {
    if (event.time + options.lateness <= before) { late.push(event.id); continue; }
    const keyed = (side: RefSide) => event.type === side.type && side.where(event) && event.fields[side.key] !== null && event.fields[side.key] !== undefined;
    if (keyed(options.left)) left.push(event);
    if (keyed(options.right)) right.push(event);
  }
  const pairs: string[] = [];
  const matched = new Set<string>();
  for (const l of left) for (const r of right) {
    if (l.id === r.id || String(l.fields[options.left.key]) !== String(r.fields[options.right.key]) || Math.abs(l.time - r.time) > options.within) continue;
    pairs.push(`${l.id}+${r.id}`);
    matched.add(`L${l.id}`);
    matched.add(`R${r.id}`);
  }
  const final = watermarks.at(-1) ?? -Infinity;
  const expired = (event: StreamEvent) => event.time + options.within + options.lateness <= final;
  return {
    pairs: pairs.sort(),
    unmatchedLeft: left.filter((event) => !matched.has(`L${event.id}`) && expired(event)).map((event) => event.id).sort(),
    unmatchedRight: right.filter((event) => !matched.has(`R${event.id}`) && expired(event)).map((event) => event.id).sort(),
    late,
  };
}

export interface RefStep { type: string; key: string; where: Pred; minCount: number }

/** Pattern: exhaustive search for a match ending at each event, in event-time order per key. */
export function referencePattern(batches: Batch[], options: { skew: number; steps: RefStep[]; within: number; lateness: number }): { matches: string[][]; late: string[] } {
  const { events, watermarks } = judge(batches, [...new Set(options.steps.map((step) => step.type))], options.skew);
  const late: string[] = [];
  const byKey = new Map<string, StreamEvent[]>();
  const frozen = (watermarks.at(-1) ?? -Infinity) - options.lateness;
  const stepsOf = (event: StreamEvent) => options.steps.map((step, index) => (step.type === event.type && step.where(event) && event.fields[step.key] != null ? index : -1)).filter((index) => index >= 0);
  for (const { event, before } of events) {
    if (event.time + options.lateness <= before) { late.push(event.id); continue; }
    if (event.time > frozen || stepsOf(event).length === 0) continue;
    const step = options.steps[stepsOf(event)[0]!]!;
    const key = String(event.fields[step.key]);
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  const matches: { last: StreamEvent; ids: string[] }[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
    let from = 0;
    for (let end = 0; end < list.length; end++) {
      const last = list[end]!;
      const candidates = list.slice(from, end + 1).filter((event) => event.time >= last.time - options.within);
      const chain = search(candidates, options.steps.map((step) => step.minCount), stepsOf);
      if (chain) {
        matches.push({ last, ids: chain.map((event) => event.id) });
        from = end + 1;
      }
    }
  }
  matches.sort((a, b) => a.last.time - b.last.time || (a.last.id < b.last.id ? -1 : 1));
  return { matches: matches.map((match) => match.ids), late };
}

/** Any assignment of events (in order) to steps with the counts, whose last event is the last candidate. */
function search(candidates: StreamEvent[], counts: number[], stepsOf: (event: StreamEvent) => number[]): StreamEvent[] | undefined {
  const last = candidates.length - 1;
  const go = (position: number, step: number, have: number, chosen: StreamEvent[]): StreamEvent[] | undefined => {
    if (step === counts.length) return chosen.at(-1) === candidates[last] ? chosen : undefined;
    for (let i = position; i <= last; i++) {
      if (!stepsOf(candidates[i]!).includes(step)) continue;
      const done = have + 1 === counts[step];
      const found = go(i + 1, done ? step + 1 : step, done ? 0 : have + 1, [...chosen, candidates[i]!]);
      if (found) return found;
    }
    return undefined;
  };
  return go(0, 0, 0, []);
}
