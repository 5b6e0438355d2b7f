/**
 * The contract between the job driver (`job.ts`) and the three operators. An operator is pure
 * and incremental: `advance` takes the state after the previous batch and one batch of events
 * (the job's types only, sorted by time then id, future events removed) and returns what to
 * emit. Its state is checkpointed with JSON.stringify (plain JSON, or a class with toJSON and
 * `revive`).
 */
import type { ColumnSpec } from '../lake/tables.js';
import type { FieldValue, RefusedEvent, StreamEvent } from './stream-event.js';

export type ResultValue = FieldValue | string[];
export type ResultRow = Record<string, ResultValue>;

export interface Emission {
  /** `update` when a late event within the allowed lateness revised an emitted window. */
  op: 'insert' | 'update';
  row: ResultRow;
}

/** A result as an event of the contract's envelope (pattern matches: docs/streams.md, "Patterns"). */
export interface DerivedEvent {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  source: string;
  data: Record<string, ResultValue>;
}

export interface Advance {
  /** Watermark before the batch (null: no event yet). Events are judged late against it. */
  before: number | null;
  /** Watermark after the batch. */
  after: number | null;
}

export interface Operator<State> {
  readonly kind: 'window' | 'join' | 'pattern';
  /** Event types the job reads. */
  readonly eventTypes: readonly string[];
  /** Lake columns read for an event type (besides id, type, occurred_at). */
  fieldsOf(type: string): string[];
  /** Columns of the result rows (the job's lake table). */
  readonly columns: readonly ColumnSpec[];
  initialState(): State;
  /**
   * The state from what a checkpoint's JSON.parse gave, for operators whose state is not plain
   * JSON in memory (the join's indexes); the state itself when it is already live.
   */
  revive?(state: unknown): State;
  advance(state: State, batch: readonly StreamEvent[], watermark: Advance, refuse: (event: StreamEvent, reason: string) => void): Emission[];
  /**
   * What identifies a result among the job's results (the Kafka message key, after the job's
   * name): a window's start and group key, a pair's key and event ids, a match's derived event
   * id. Updates of a window share its key.
   */
  resultKey(row: ResultRow): ResultValue[];
  /** The result as a derived event, for operators whose results are events (patterns). */
  derivedEvent?(row: ResultRow): DerivedEvent;
  /** The type of those derived events. */
  readonly derivedEventType?: string;
  /** Entries held (windows, buffered join or pattern events): the bounded state's size. */
  stateEntries(state: State): number;
}

export type AnyOperator = Operator<unknown>;
export type { RefusedEvent };

const HOUR_MS = 3_600_000;
/** The text up to the hour ("2026-11-24T12:") of the hour last formatted. */
let cachedHour = Number.NaN;
let cachedHourText = '';

/**
 * `new Date(ms).toISOString()`, faster for integral times of years 1970–9999: the result rows
 * carry two times each (a join pair, a window's bounds), and formatting them was a tenth of the
 * jobs' own time. The text up to the hour is reused while times stay in one hour.
 */
export function iso(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 253_402_300_800_000) return new Date(ms).toISOString();
  const hour = Math.floor(ms / HOUR_MS);
  if (hour !== cachedHour) {
    cachedHour = hour;
    cachedHourText = new Date(hour * HOUR_MS).toISOString().slice(0, 14);
  }
  const inHour = ms - hour * HOUR_MS;
  const minutes = Math.floor(inHour / 60_000);
  const seconds = Math.floor(inHour / 1000) % 60;
  const millis = inHour % 1000;
  return `${cachedHourText}${minutes < 10 ? '0' : ''}${minutes}:${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
