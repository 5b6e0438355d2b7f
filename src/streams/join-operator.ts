/**
 * Stream join: pairs a left and a right event with equal keys whose event times are at most
 * `within` apart. A pair is emitted as soon as its second event is processed. Each event stays
 * in the state until the watermark passes its time + within + lateness; then no partner that is
 * not late can still arrive, so it is dropped (and emitted as unmatched when asked).
 * An event is late when its time + lateness is at or before the watermark before its batch.
 *
 * A join over a busy stream holds minutes of one side (the default `fraud_joined` holds every
 * transaction for 6 minutes), so the state is laid out for size: a held event is one array
 * (key, id, time, matched, then its field values), a key maps to that array itself unless it
 * holds several, and an index by time bucket expires events without visiting the others
 * (docs/performance.md, issue 4).
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

/** A held event: key (as text), id, time (epoch ms), matched, then the side's field values. */
type Held = FieldValue[] & { 0: string; 1: string; 2: number; 3: boolean };
const KEY = 0, ID = 1, TIME = 2, MATCHED = 3, VALUES = 4;

/** The checkpoint's form: each side's held events, in arrival order per key. */
export interface JoinStateJson {
  format: 2;
  left: Held[];
  right: Held[];
}

/** The form of releases before format 2, still read from their checkpoints. */
interface LegacyJoinStateJson {
  left: Record<string, { id: string; t: number; values: FieldValue[]; matched: boolean }[]>;
  right: Record<string, { id: string; t: number; values: FieldValue[]; matched: boolean }[]>;
}

/** Width of the expiry index's time buckets. */
const BUCKET_MS = 5_000;

/** One side's held events: by key, and by time bucket for expiry. */
class HeldSide {
  private readonly byKey = new Map<string, Held | Held[]>();
  private readonly buckets = new Map<number, Held[]>();
  size = 0;

  add(held: Held): void {
    const key = held[KEY];
    const entry = this.byKey.get(key);
    if (entry === undefined) this.byKey.set(key, held);
    else if (isHeld(entry)) this.byKey.set(key, [entry, held]);
    else entry.push(held);
    const bucket = Math.floor(held[TIME] / BUCKET_MS);
    const list = this.buckets.get(bucket);
    if (list === undefined) this.buckets.set(bucket, [held]);
    else list.push(held);
    this.size++;
  }

  /** The held event of `key`, or its held events in arrival order (no array made per lookup). */
  withKey(key: string): Held | Held[] | undefined {
    return this.byKey.get(key);
  }

  /** Drops every event with time at or before `horizon`; `dropped` sees each. */
  expire(horizon: number, dropped: (held: Held) => void): void {
    for (const [bucket, list] of this.buckets) {
      if (bucket * BUCKET_MS > horizon) continue;
      // A bucket that ends at or before the horizon goes whole; the one it falls in, in part.
      const whole = (bucket + 1) * BUCKET_MS <= horizon;
      const kept: Held[] = [];
      for (const held of list) {
        if (!whole && held[TIME] > horizon) { kept.push(held); continue; }
        this.removeFromKey(held);
        dropped(held);
      }
      if (kept.length === 0) this.buckets.delete(bucket);
      else this.buckets.set(bucket, kept);
    }
  }

  private removeFromKey(held: Held): void {
    const key = held[KEY];
    const entry = this.byKey.get(key)!;
    this.size--;
    if (entry === held) { this.byKey.delete(key); return; }
    const list = entry as Held[];
    list.splice(list.indexOf(held), 1);
    if (list.length === 1) this.byKey.set(key, list[0]!);
  }

  toJSON(): Held[] {
    const all: Held[] = [];
    for (const entry of this.byKey.values()) {
      if (isHeld(entry)) all.push(entry);
      else for (const held of entry) all.push(held);
    }
    return all;
  }
}

const isHeld = (entry: Held | Held[]): entry is Held => typeof entry[0] === 'string';

/** The join's state; JSON.stringify writes its checkpoint form (JoinStateJson). */
export class JoinState {
  readonly left = new HeldSide();
  readonly right = new HeldSide();

  toJSON(): JoinStateJson {
    return { format: 2, left: this.left.toJSON(), right: this.right.toJSON() };
  }

  /** A state from its checkpoint (this release's form or the one before). */
  static fromJSON(json: JoinStateJson | LegacyJoinStateJson): JoinState {
    const state = new JoinState();
    for (const side of ['left', 'right'] as const) {
      if ('format' in json) {
        for (const held of json[side]) state[side].add(held);
        continue;
      }
      for (const [key, list] of Object.entries(json[side])) {
        for (const { id, t, values, matched } of list) state[side].add([key, id, t, matched, ...values] as Held);
      }
    }
    return state;
  }
}

type Side = 'left' | 'right';

export class JoinOperator implements Operator<JoinState> {
  readonly kind = 'join' as const;
  readonly eventTypes: readonly string[];
  readonly columns: readonly ColumnSpec[];
  /** Result column names of each side: id, occurred_at, then its fields. */
  private readonly sideColumns: Record<Side, string[]>;

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
    const names = (side: Side) => [`${side}_id`, `${side}_occurred_at`, ...spec[side].fields.map((field) => `${side}_${field.name}`)];
    this.sideColumns = { left: names('left'), right: names('right') };
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
    return new JoinState();
  }

  revive(state: unknown): JoinState {
    return state instanceof JoinState ? state : JoinState.fromJSON(state as JoinStateJson | LegacyJoinStateJson);
  }

  stateEntries(state: JoinState): number {
    const live = this.revive(state);
    return live.left.size + live.right.size;
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
        const held = this.hold(String(key), event, sideSpec);
        const partners = state[side === 'left' ? 'right' : 'left'].withKey(held[KEY]);
        if (partners !== undefined && isHeld(partners)) this.pair(side, key, held, partners, emissions);
        else if (partners !== undefined) for (const partner of partners) this.pair(side, key, held, partner, emissions);
        state[side].add(held);
      }
    }
    if (watermark.after !== null) this.expire(state, watermark.after, emissions);
    return emissions;
  }

  /** Emits the pair of `held` (of `side`) and `partner` when their times are within the bound. */
  private pair(side: Side, key: FieldValue, held: Held, partner: Held, emissions: Emission[]): void {
    if (Math.abs(partner[TIME] - held[TIME]) > this.spec.within || partner[ID] === held[ID]) return;
    partner[MATCHED] = true;
    held[MATCHED] = true;
    emissions.push({ op: 'insert', row: side === 'left' ? this.row(key, held, partner) : this.row(key, partner, held) });
  }

  private hold(key: string, event: StreamEvent, sideSpec: JoinSideSpec): Held {
    // Allocated at its final length: an array grown by push keeps spare capacity.
    const held = new Array<FieldValue>(VALUES + sideSpec.fields.length) as Held;
    held[KEY] = key;
    held[ID] = event.id;
    held[TIME] = event.time;
    held[MATCHED] = false;
    sideSpec.fields.forEach((field, index) => { held[VALUES + index] = event.fields[field.name] ?? null; });
    return held;
  }

  private expire(state: JoinState, after: number, emissions: Emission[]): void {
    const horizon = after - this.spec.within - this.spec.lateness;
    const unmatched: { side: Side; held: Held }[] = [];
    for (const side of ['left', 'right'] as const) {
      const emit = this.spec.emitUnmatched === side || this.spec.emitUnmatched === 'both';
      state[side].expire(horizon, (held) => { if (emit && !held[MATCHED]) unmatched.push({ side, held }); });
    }
    unmatched.sort((a, b) => a.held[TIME] - b.held[TIME] || (a.held[ID] < b.held[ID] ? -1 : a.held[ID] > b.held[ID] ? 1 : 0) || a.side.localeCompare(b.side));
    for (const { side, held } of unmatched) {
      const keyValue = this.keyValue(held[KEY]);
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
      const names = this.sideColumns[side];
      row[names[0]!] = held ? held[ID] : null;
      row[names[1]!] = held ? iso(held[TIME]) : null;
      for (let index = 2; index < names.length; index++) row[names[index]!] = held ? held[VALUES + index - 2] ?? null : null;
    }
    return row;
  }
}
