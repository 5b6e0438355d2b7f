/**
 * Complex event processing: a sequence of steps for one key within a time bound, e.g. three
 * failed logins and then a large transaction on the same account within 10 minutes.
 *
 * Events are matched in event-time order (time, then id), which out-of-order arrival would
 * break, so each event waits in `pending` until the watermark minus the allowed lateness passes
 * it: from then on no event that is not late can come before it. A match ends at the event that
 * completes the last step; the events of each step lie after those of the step before, all
 * within `within` of the last one. After a match the key starts afresh (matches never overlap).
 */
import { createHash } from 'node:crypto';
import type { ColumnSpec } from '../lake/tables.js';
import type { Advance, DerivedEvent, Emission, Operator, ResultRow, ResultValue } from './operator.js';
import { iso } from './operator.js';
import { compareEvents, type FieldValue, type Predicate, type StreamEvent } from './stream-event.js';

export interface PatternStepSpec {
  type: string;
  key: string;
  where: Predicate;
  minCount: number;
}

export interface PatternJobSpec {
  name: string;
  steps: PatternStepSpec[];
  within: number;
  lateness: number;
  emitType: string;
  keySqlType: string;
}

interface Candidate {
  id: string;
  t: number;
  /** Steps this event satisfies. */
  steps: number[];
}

export interface PatternState {
  pending: Record<string, Candidate[]>;
  history: Record<string, Candidate[]>;
}

/**
 * Greedy earliest assignment of `events` (sorted) to the steps; returns the events used when
 * the last step completes exactly at the last event, else undefined. Taking the earliest event
 * for every step never loses a match that a later choice would find.
 */
export function completesAtLast(steps: readonly { minCount: number }[], events: readonly Candidate[]): Candidate[] | undefined {
  let step = 0;
  let count = 0;
  const used: Candidate[] = [];
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (!event.steps.includes(step)) continue;
    used.push(event);
    count++;
    if (count === steps[step]!.minCount) {
      step++;
      count = 0;
      if (step === steps.length) return index === events.length - 1 ? used : undefined;
    }
  }
  return undefined;
}

/**
 * The derived event's id: the job, the key and the match's start. The first event of a match is
 * never part of another match (after a match the key starts afresh), so its id makes the start
 * unique even when two matches of a key start in the same millisecond.
 */
export function derivedEventId(job: string, key: string, first: { id: string; t: number }): string {
  return `${job}:${createHash('sha256').update(JSON.stringify([job, key, iso(first.t), first.id])).digest('hex').slice(0, 32)}`;
}

export class PatternOperator implements Operator<PatternState> {
  readonly kind = 'pattern' as const;
  readonly eventTypes: readonly string[];
  readonly columns: readonly ColumnSpec[];

  readonly derivedEventType: string;

  constructor(readonly spec: PatternJobSpec) {
    this.eventTypes = [...new Set(spec.steps.map((step) => step.type))];
    this.derivedEventType = spec.emitType;
    this.columns = [
      { name: 'id', sqlType: 'VARCHAR', description: 'Id of the derived event: `<job>:` and 32 hex digits of a hash of the job, the key and the match\'s start (its time and first event), the same on every run.' },
      { name: 'type', sqlType: 'VARCHAR', description: 'Type of the derived event (`emit.type`).' },
      { name: 'version', sqlType: 'INTEGER', description: 'Schema version of the derived event (1).' },
      { name: 'occurred_at', sqlType: 'TIMESTAMPTZ', description: 'Time of the event that completed the match.' },
      { name: 'source', sqlType: 'VARCHAR', description: 'Producer of the derived event: `stream:<job>`.' },
      { name: 'match_key', sqlType: spec.keySqlType, description: 'The key the sequence shares.' },
      { name: 'started_at', sqlType: 'TIMESTAMPTZ', description: 'Time of the first event of the match.' },
      { name: 'event_ids', sqlType: 'VARCHAR[]', description: 'Ids of the events of the match, in order.' },
    ];
  }

  /** Key fields only: the fields of step conditions are added by the config compiler (config.ts). */
  fieldsOf(type: string): string[] {
    return [...new Set(this.spec.steps.filter((step) => step.type === type).map((step) => step.key))];
  }

  resultKey(row: ResultRow): ResultValue[] {
    return [row.id ?? null];
  }

  /** A match as an event of the contract's envelope: the match's fields are its data. */
  derivedEvent(row: ResultRow): DerivedEvent {
    return {
      id: String(row.id),
      type: String(row.type),
      version: Number(row.version),
      occurred_at: String(row.occurred_at),
      source: String(row.source),
      data: { match_key: row.match_key ?? null, started_at: row.started_at ?? null, event_ids: row.event_ids ?? [] },
    };
  }

  initialState(): PatternState {
    return { pending: {}, history: {} };
  }

  stateEntries(state: PatternState): number {
    let count = 0;
    for (const side of [state.pending, state.history]) for (const list of Object.values(side)) count += list.length;
    return count;
  }

  advance(state: PatternState, batch: readonly StreamEvent[], watermark: Advance, refuse: (event: StreamEvent, reason: string) => void): Emission[] {
    const { spec } = this;
    const before = watermark.before ?? -Infinity;
    for (const event of batch) {
      if (event.time + spec.lateness <= before) {
        refuse(event, `its time is at or before the watermark ${iso(before)} minus the allowed lateness`);
        continue;
      }
      const steps: number[] = [];
      let key: FieldValue | undefined;
      spec.steps.forEach((step, index) => {
        if (step.type !== event.type || !step.where(event)) return;
        const value = event.fields[step.key];
        if (value === null || value === undefined) return;
        key = value;
        steps.push(index);
      });
      if (steps.length === 0 || key === undefined || key === null) continue;
      (state.pending[String(key)] ??= []).push({ id: event.id, t: event.time, steps });
    }
    if (watermark.after === null) return [];
    const frozen = watermark.after - spec.lateness;
    const matches: { key: string; last: Candidate; used: Candidate[] }[] = [];
    const lastStep = spec.steps.length - 1;
    for (const [key, pending] of Object.entries(state.pending)) {
      pending.sort((a, b) => compareEvents({ id: a.id, time: a.t } as StreamEvent, { id: b.id, time: b.t } as StreamEvent));
      const ready = pending.filter((candidate) => candidate.t <= frozen);
      const waiting = pending.filter((candidate) => candidate.t > frozen);
      let history = state.history[key] ?? [];
      for (const candidate of ready) {
        history.push(candidate);
        if (!candidate.steps.includes(lastStep)) continue;
        const inBound = history.filter((held) => held.t >= candidate.t - spec.within);
        const used = completesAtLast(spec.steps, inBound);
        if (used) {
          matches.push({ key, last: candidate, used });
          history = [];
        }
      }
      // Nothing older than frozen - within can be part of a future match.
      history = history.filter((held) => held.t >= frozen - spec.within);
      if (history.length > 0) state.history[key] = history;
      else delete state.history[key];
      if (waiting.length > 0) state.pending[key] = waiting;
      else delete state.pending[key];
    }
    matches.sort((a, b) => a.last.t - b.last.t || (a.last.id < b.last.id ? -1 : a.last.id > b.last.id ? 1 : 0));
    return matches.map(({ key, last, used }) => ({
      op: 'insert' as const,
      row: {
        id: derivedEventId(spec.name, key, used[0]!),
        type: spec.emitType,
        version: 1,
        occurred_at: iso(last.t),
        source: `stream:${spec.name}`,
        match_key: spec.keySqlType === 'VARCHAR' ? key : Number(key),
        started_at: iso(used[0]!.t),
        event_ids: used.map((event) => event.id),
      },
    }));
  }
}
