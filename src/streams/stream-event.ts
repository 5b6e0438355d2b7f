/**
 * What the stream operators see: one stored event with the fields its jobs read. Times are
 * epoch milliseconds (UTC). Values come from the lake columns (decimals as numbers).
 */
import type { Where } from './schema.js';

export type FieldValue = string | number | boolean | null;

export interface StreamEvent {
  id: string;
  type: string;
  /** occurred_at, epoch ms. */
  time: number;
  fields: Record<string, FieldValue | undefined>;
}

/** A stored event a job refused: later than the allowed lateness, or too far in the future. */
export interface RefusedEvent {
  job: string;
  stage: 'late' | 'future';
  eventId: string;
  eventType: string;
  time: number;
  reason: string;
}

/** Deterministic processing order inside one batch: event time, then id. */
export function compareEvents(a: StreamEvent, b: StreamEvent): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export type Predicate = (event: StreamEvent) => boolean;

/** Compiles `where` conditions to a predicate; a missing field never matches a condition. */
export function compileWhere(where: Where | undefined): Predicate {
  if (!where) return () => true;
  const tests = Object.entries(where).map(([field, condition]): Predicate => {
    if (typeof condition !== 'object' || condition === null) return (event) => event.fields[field] === condition;
    const checks: ((value: FieldValue) => boolean)[] = [];
    if (condition.eq !== undefined) checks.push((value) => value === condition.eq);
    if (condition.ne !== undefined) checks.push((value) => value !== condition.ne);
    if (condition.in !== undefined) { const set = new Set<FieldValue>(condition.in); checks.push((value) => set.has(value)); }
    if (condition.not_in !== undefined) { const set = new Set<FieldValue>(condition.not_in); checks.push((value) => !set.has(value)); }
    if (condition.gt !== undefined) { const bound = condition.gt; checks.push((value) => typeof value === 'number' && value > bound); }
    if (condition.gte !== undefined) { const bound = condition.gte; checks.push((value) => typeof value === 'number' && value >= bound); }
    if (condition.lt !== undefined) { const bound = condition.lt; checks.push((value) => typeof value === 'number' && value < bound); }
    if (condition.lte !== undefined) { const bound = condition.lte; checks.push((value) => typeof value === 'number' && value <= bound); }
    return (event) => {
      const value = event.fields[field];
      if (value === undefined || value === null) return false;
      return checks.every((check) => check(value));
    };
  });
  return (event) => tests.every((test) => test(event));
}
