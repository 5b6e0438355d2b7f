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

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
