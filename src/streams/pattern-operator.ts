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
import type { ColumnSpec } from '../lake/tables.js';
import type { Advance, Emission, Operator, ResultRow, ResultValue } from './operator.js';
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

export class PatternOperator implements Operator<PatternState> {
  readonly kind = 'pattern' as const;
  readonly eventTypes: readonly string[];
  readonly columns: readonly ColumnSpec[];

  constructor(readonly spec: PatternJobSpec) {
    this.eventTypes = [...new Set(spec.steps.map((step) => step.type))];
    this.columns = [
      { name: 'id', sqlType: 'VARCHAR', description: 'Id of the derived event: `<job>:<id of the event that completed the match>`.' },
      { name: 'type', sqlType: 'VARCHAR', description: 'Type of the derived event (`emit.type`).' },
      { name: 'occurred_at', sqlType: 'TIMESTAMPTZ', description: 'Time of the event that completed the match.' },
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
        id: `${spec.name}:${last.id}`,
        type: spec.emitType,
        occurred_at: iso(last.t),
        match_key: spec.keySqlType === 'VARCHAR' ? key : Number(key),
        started_at: iso(used[0]!.t),
        event_ids: used.map((event) => event.id),
      },
    }));
  }
}
