/**
 * Stream join: pairs a left and a right event with equal keys whose event times are at most
 * `within` apart. A pair is emitted as soon as its second event is processed. Each event stays
 * in the state until the watermark passes its time + within + lateness; then no partner that is
 * not late can still arrive, so it is dropped (and emitted as unmatched when asked).
 * An event is late when its time + lateness is at or before the watermark before its batch.
 */
import type { ColumnSpec } from '../lake/tables.js';
import type { Advance, Emission, Operator, ResultRow, ResultValue } from './operator.js';
import { iso } from './operator.js';
import type { FieldValue, Predicate, StreamEvent } from './stream-event.js';

export interface JoinSideSpec {
  type: string;
  key: string;
  fields: { name: string; sqlType: string }[];
  where: Predicate;
  keySqlType: string;
}

export interface JoinJobSpec {
  name: string;
  left: JoinSideSpec;
  right: JoinSideSpec;
  within: number;
  lateness: number;
  emitUnmatched: 'none' | 'left' | 'right' | 'both';
}

interface Held {
  id: string;
  t: number;
  values: FieldValue[];
  matched: boolean;
}

export interface JoinState {
  left: Record<string, Held[]>;
  right: Record<string, Held[]>;
}

type Side = 'left' | 'right';

export class JoinOperator implements Operator<JoinState> {
  readonly kind = 'join' as const;
  readonly eventTypes: readonly string[];
  readonly columns: readonly ColumnSpec[];

  constructor(readonly spec: JoinJobSpec) {
    this.eventTypes = [...new Set([spec.left.type, spec.right.type])];
    const sideColumns = (side: Side): ColumnSpec[] => [
      { name: `${side}_id`, sqlType: 'VARCHAR', description: `Event id of the ${side} event.` },
      { name: `${side}_occurred_at`, sqlType: 'TIMESTAMPTZ', description: `Event time of the ${side} event.` },
      ...spec[side].fields.map((field) => ({ name: `${side}_${field.name}`, sqlType: field.sqlType, description: `${field.name} of the ${side} event.` })),
    ];
    this.columns = [
      { name: 'join_key', sqlType: spec.left.keySqlType, description: `The key both sides share (${spec.left.key} = ${spec.right.key}).` },
      { name: 'matched', sqlType: 'BOOLEAN', description: 'true for a pair; false for an event that found no partner within the time bound.' },
      ...sideColumns('left'),
      ...sideColumns('right'),
    ];
  }

  fieldsOf(type: string): string[] {
    const fields = new Set<string>();
    for (const side of ['left', 'right'] as const) {
      if (this.spec[side].type !== type) continue;
      fields.add(this.spec[side].key);
      for (const field of this.spec[side].fields) fields.add(field.name);
    }
    return [...fields];
  }

  resultKey(row: ResultRow): ResultValue[] {
    return [row.join_key ?? null, row.left_id ?? null, row.right_id ?? null];
  }

  initialState(): JoinState {
    return { left: {}, right: {} };
  }

  stateEntries(state: JoinState): number {
    let count = 0;
    for (const side of [state.left, state.right]) for (const list of Object.values(side)) count += list.length;
    return count;
  }

  advance(state: JoinState, batch: readonly StreamEvent[], watermark: Advance, refuse: (event: StreamEvent, reason: string) => void): Emission[] {
    const { spec } = this;
    const before = watermark.before ?? -Infinity;
    const emissions: Emission[] = [];
    for (const event of batch) {
      // One event type may be both sides (a self-join); it then takes part on each.
      for (const side of ['left', 'right'] as const) {
        const sideSpec = spec[side];
        if (event.type !== sideSpec.type) continue;
        if (event.time + spec.lateness <= before) {
          refuse(event, `its time is at or before the watermark ${iso(before)} minus the allowed lateness`);
          break;
        }
        if (!sideSpec.where(event)) continue;
        const key = event.fields[sideSpec.key];
        if (key === null || key === undefined) continue;
        const keyText = String(key);
        const held: Held = { id: event.id, t: event.time, values: sideSpec.fields.map((field) => event.fields[field.name] ?? null), matched: false };
        const other: Side = side === 'left' ? 'right' : 'left';
        for (const partner of state[other][keyText] ?? []) {
          if (Math.abs(partner.t - held.t) > spec.within) continue;
          if (partner.id === held.id) continue;
          partner.matched = true;
          held.matched = true;
          emissions.push({ op: 'insert', row: side === 'left' ? this.row(key, held, partner) : this.row(key, partner, held) });
        }
        (state[side][keyText] ??= []).push(held);
      }
    }
    if (watermark.after !== null) this.expire(state, watermark.after, emissions);
    return emissions;
  }

  private expire(state: JoinState, after: number, emissions: Emission[]): void {
    const horizon = after - this.spec.within - this.spec.lateness;
    const unmatched: { side: Side; key: string; held: Held }[] = [];
    for (const side of ['left', 'right'] as const) {
      const emit = this.spec.emitUnmatched === side || this.spec.emitUnmatched === 'both';
      const bySide = state[side];
      for (const key in bySide) {
        const list = bySide[key]!;
        let kept: Held[] | undefined;
        for (let index = 0; index < list.length; index++) {
          const held = list[index]!;
          if (held.t > horizon) {
            kept?.push(held);
            continue;
          }
          // First expired entry: keep what came before it, then only the live ones.
          kept ??= list.slice(0, index);
          if (emit && !held.matched) unmatched.push({ side, key, held });
        }
        if (kept === undefined) continue;
        if (kept.length === 0) delete bySide[key];
        else bySide[key] = kept;
      }
    }
    unmatched.sort((a, b) => a.held.t - b.held.t || (a.held.id < b.held.id ? -1 : a.held.id > b.held.id ? 1 : 0) || a.side.localeCompare(b.side));
    for (const { side, key, held } of unmatched) {
      const keyValue = this.keyValue(key);
      emissions.push({ op: 'insert', row: side === 'left' ? this.row(keyValue, held, undefined) : this.row(keyValue, undefined, held) });
    }
  }

  private keyValue(key: string): FieldValue {
    const sqlType = this.spec.left.keySqlType;
    return sqlType === 'VARCHAR' ? key : Number(key);
  }

  private row(key: FieldValue, left: Held | undefined, right: Held | undefined): ResultRow {
    const row: ResultRow = { join_key: key, matched: left !== undefined && right !== undefined };
    for (const [side, held] of [['left', left], ['right', right]] as const) {
      row[`${side}_id`] = held?.id ?? null;
      row[`${side}_occurred_at`] = held ? iso(held.t) : null;
      this.spec[side].fields.forEach((field, index) => { row[`${side}_${field.name}`] = held ? held.values[index] ?? null : null; });
    }
    return row;
  }
}
