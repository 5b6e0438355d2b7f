/**
 * Each operator against its brute-force reference over seeded random batches with out-of-order,
 * late and future events; and the checkpoint: JSON round-trips of the state between batches
 * change nothing (what a restart does).
 */
import { derivedEventId } from '../../../src/streams/pattern-operator.js';
import { describe, expect, it } from 'vitest';
import { EventTypeRegistry } from '../../../src/contract/registry.js';
import { compileStreams, type CompiledJob } from '../../../src/streams/config.js';
import { advanceJob, initialJobState, type JobState } from '../../../src/streams/job.js';
import type { Emission } from '../../../src/streams/operator.js';
import { streamsFileSchema, type Where } from '../../../src/streams/schema.js';
import { compareEvents, compileWhere, type StreamEvent } from '../../../src/streams/stream-event.js';
import { generateBatches, pick, type Batch } from './random-events.js';
import { aggregate, referenceJoin, referencePattern, referenceSessions, referenceWindows } from './reference.js';

const registry = EventTypeRegistry.create();
const SKEW = 300_000;

function compile(job: unknown): CompiledJob {
  const file = streamsFileSchema.parse({ max_future_skew: '5m', streams: [job] });
  return compileStreams(file, registry).jobs[0]!;
}

/** Runs a job over the batches; with `checkpoint`, the state goes through JSON after every batch. */
function run(job: CompiledJob, batches: Batch[], checkpoint = false, presorted = false): { emissions: Emission[]; late: string[]; future: string[] } {
  let state: JobState = initialJobState(job);
  const emissions: Emission[] = [];
  const late: string[] = [];
  const future: string[] = [];
  for (const batch of batches) {
    // With `presorted`, the batch is sorted first and given as sorted, as the runner does.
    const events = presorted ? [...batch.events].sort(compareEvents) : batch.events;
    const result = advanceJob(job, state, events, batch.ingestedAt, SKEW, Infinity, presorted);
    emissions.push(...result.emissions);
    for (const refused of result.refused) (refused.stage === 'late' ? late : future).push(refused.eventId);
    state = checkpoint ? JSON.parse(JSON.stringify(result.state)) as JobState : result.state;
  }
  return { emissions, late, future };
}

/** A run's results with its future events in id order: they are refused in the order of the batch given, sorted or not. */
const inAnyOrderOfFuture = (result: ReturnType<typeof run>) => ({ ...result, future: [...result.future].sort() });

const COUNTRIES = ['DE', 'FR', 'US'];
const CHANNELS = ['ecommerce', 'atm'];
const transaction = (random: () => number, index: number): { type: string; fields: StreamEvent['fields'] } => ({
  type: 'transaction',
  fields: {
    country: pick(random, COUNTRIES),
    channel: pick(random, CHANNELS),
    amount_reporting: Math.round(random() * 200_000) / 100,
    status: pick(random, ['captured', 'declined', 'authorized']),
    merchant_id: random() < 0.1 ? null : pick(random, ['m1', 'm2', 'm3']),
    account_id: pick(random, ['a1', 'a2', 'a3']),
    transaction_id: `t${index % 40}`,
  },
});

const close = (a: unknown, b: unknown) => typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) : a === b;

function expectRowValues(actual: Record<string, unknown>, expected: Record<string, unknown>) {
  for (const [name, value] of Object.entries(expected)) {
    if (!close(actual[name], value)) expect({ column: name, actual: actual[name], row: actual }).toEqual({ column: name, actual: value, row: actual });
  }
}

describe('window operator against the brute-force reference', () => {
  const aggregates = [
    { name: 'tx_count', fn: 'count' },
    { name: 'volume', fn: 'sum', field: 'amount_reporting' },
    { name: 'avg_amount', fn: 'avg', field: 'amount_reporting' },
    { name: 'smallest', fn: 'min', field: 'amount_reporting' },
    { name: 'largest', fn: 'max', field: 'amount_reporting' },
    { name: 'merchants', fn: 'count_distinct', field: 'merchant_id' },
    { name: 'p50', fn: 'p50', field: 'amount_reporting' },
    { name: 'p95', fn: 'p95', field: 'amount_reporting' },
    { name: 'p99', fn: 'p99', field: 'amount_reporting' },
    { name: 'declines', fn: 'count', where: { status: 'declined' } },
    { name: 'decline_rate', fn: 'ratio', where: { status: 'declined' } },
  ] as const;
  const cases = [
    { label: 'tumbling', window: { type: 'tumbling', size: '1m' }, size: 60_000, advance: 60_000 },
    { label: 'hopping', window: { type: 'hopping', size: '5m', advance: '1m' }, size: 300_000, advance: 60_000 },
    { label: 'hopping with a gap-free odd advance', window: { type: 'hopping', size: '90s', advance: '40s' }, size: 90_000, advance: 40_000 },
  ];
  for (const testCase of cases) {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      it(`${testCase.label}, seed ${seed}: the emission log (inserts, updates, values) and the late events match`, () => {
        const lateness = seed % 2 === 0 ? 30_000 : 0;
        const job = compile({
          name: 'job', kind: 'window', events: ['transaction'], where: { channel: { ne: 'atm' } }, window: testCase.window,
          allowed_lateness: `${lateness / 1000}s`, group_by: ['country'], aggregates,
        });
        const batches = generateBatches({ seed, batches: 12, perBatch: 40, step: 4_000, jitter: 20_000, lateShare: 0.1, lateBy: testCase.size * 3 + 120_000, futureShare: 0.02, make: transaction });
        const live = run(job, batches);
        const reference = referenceWindows(batches, { types: ['transaction'], skew: SKEW, size: testCase.size, advance: testCase.advance, lateness, groupBy: ['country'], where: compileWhere({ channel: { ne: 'atm' } }) });
        expect(reference.log.length).toBeGreaterThan(3);
        expect(live.emissions.map((e) => [e.op, e.row.window_start, e.row.country, e.row.revision])).toEqual(
          reference.log.map((entry) => [entry.op, new Date(entry.start).toISOString(), entry.keys[0], entry.revision]),
        );
        reference.log.forEach((entry, index) => {
          const expected = Object.fromEntries(aggregates.map((agg) => {
            const { where, ...rest } = agg as { name: string; fn: string; field?: string; where?: Where };
            return [agg.name, aggregate({ ...rest, ...(where ? { where: compileWhere(where) } : {}) }, entry.events)];
          }));
          expectRowValues(live.emissions[index]!.row, { ...expected, window_end: new Date(entry.end).toISOString() });
        });
        expect([...live.late].sort()).toEqual(reference.late.sort());
        expect(live.future.length).toBeGreaterThan(0);
        expect(live.late.length).toBeGreaterThan(0);
        if (lateness > 0) expect(live.emissions.some((e) => e.op === 'update')).toBe(true);
        // A restart between any two batches (state through JSON) changes nothing.
        expect(run(job, batches, true)).toEqual(live);
        expect(inAnyOrderOfFuture(run(job, batches, false, true))).toEqual(inAnyOrderOfFuture(live));
      });
    }
  }

  for (const seed of [11, 12, 13, 14, 15]) {
    it(`session windows, seed ${seed}: the final sessions and the late events match`, () => {
      const lateness = seed % 2 === 0 ? 20_000 : 0;
      const job = compile({
        name: 'sessions', kind: 'window', events: ['transaction'], window: { type: 'session', gap: '30s' }, allowed_lateness: `${lateness / 1000}s`,
        group_by: ['account_id'], aggregates: [{ name: 'n', fn: 'count' }, { name: 'volume', fn: 'sum', field: 'amount_reporting' }, { name: 'p50', fn: 'p50', field: 'amount_reporting' }],
      });
      const batches = generateBatches({ seed, batches: 12, perBatch: 30, step: 12_000, jitter: 15_000, lateShare: 0.1, lateBy: 200_000, futureShare: 0.02, make: transaction });
      const live = run(job, batches);
      const reference = referenceSessions(batches, { types: ['transaction'], skew: SKEW, gap: 30_000, lateness, groupBy: ['account_id'], where: () => true });
      const key = (start: number | string, account: unknown) => `${typeof start === 'number' ? new Date(start).toISOString() : start}|${String(account)}`;
      expect(reference.sessions.length).toBeGreaterThan(3);
      expect(live.emissions.map((e) => key(e.row.window_start as string, e.row.account_id)).sort()).toEqual(reference.sessions.map((s) => key(s.start, s.keys[0])).sort());
      for (const session of reference.sessions) {
        const row = live.emissions.find((e) => key(e.row.window_start as string, e.row.account_id) === key(session.start, session.keys[0]))!.row;
        expectRowValues(row, {
          window_end: new Date(session.end).toISOString(),
          n: session.events.length,
          volume: aggregate({ name: 'v', fn: 'sum', field: 'amount_reporting' }, session.events),
          p50: aggregate({ name: 'p', fn: 'p50', field: 'amount_reporting' }, session.events),
        });
      }
      expect([...live.late].sort()).toEqual(reference.late.sort());
      expect(run(job, batches, true)).toEqual(live);
      expect(inAnyOrderOfFuture(run(job, batches, false, true))).toEqual(inAnyOrderOfFuture(live));
    });
  }
});

describe('join operator against the brute-force reference', () => {
  for (const seed of [21, 22, 23, 24, 25, 26]) {
    it(`seed ${seed}: pairs, unmatched events and late events match`, () => {
      const lateness = seed % 2 === 0 ? 30_000 : 0;
      const job = compile({
        name: 'joined', kind: 'join', within: '1m', allowed_lateness: `${lateness / 1000}s`, emit_unmatched: 'both',
        left: { type: 'fraud_detection', key: 'transaction_id', fields: ['decision', 'score'], where: { decision: { in: ['decline', 'review'] } } },
        right: { type: 'transaction', key: 'transaction_id', fields: ['amount_reporting'] },
      });
      const make = (random: () => number, index: number) => random() < 0.5
        ? transaction(random, index)
        : { type: 'fraud_detection', fields: { transaction_id: `t${Math.floor(random() * 40)}`, decision: pick(random, ['approve', 'review', 'decline']), score: random() } };
      const batches = generateBatches({ seed, batches: 14, perBatch: 30, step: 3_000, jitter: 30_000, lateShare: 0.1, lateBy: 300_000, futureShare: 0.02, make });
      const live = run(job, batches);
      const reference = referenceJoin(batches, {
        skew: SKEW, within: 60_000, lateness,
        left: { type: 'fraud_detection', key: 'transaction_id', where: compileWhere({ decision: { in: ['decline', 'review'] } }) },
        right: { type: 'transaction', key: 'transaction_id', where: () => true },
      });
      const pairs = live.emissions.filter((e) => e.row.matched).map((e) => `${String(e.row.left_id)}+${String(e.row.right_id)}`).sort();
      expect(reference.pairs.length).toBeGreaterThan(3);
      expect(live.late.length).toBeGreaterThan(0);
      expect(reference.unmatchedLeft.length + reference.unmatchedRight.length).toBeGreaterThan(0);
      expect(pairs).toEqual(reference.pairs);
      expect(live.emissions.filter((e) => !e.row.matched && e.row.left_id !== null).map((e) => e.row.left_id).sort()).toEqual(reference.unmatchedLeft);
      expect(live.emissions.filter((e) => !e.row.matched && e.row.right_id !== null).map((e) => e.row.right_id).sort()).toEqual(reference.unmatchedRight);
      expect([...live.late].sort()).toEqual(reference.late.sort());
      expect(run(job, batches, true)).toEqual(live);
      expect(inAnyOrderOfFuture(run(job, batches, false, true))).toEqual(inAnyOrderOfFuture(live));
    });
  }
});

describe('join checkpoints of the earlier form', () => {
  /** The form before format 2: held events as objects in lists by key. */
  function earlierForm(json: { left: unknown[][]; right: unknown[][] }) {
    const bySide = (list: unknown[][]) => {
      const byKey: Record<string, { id: unknown; t: unknown; values: unknown[]; matched: unknown }[]> = {};
      for (const [key, id, t, matched, ...values] of list) (byKey[String(key)] ??= []).push({ id, t, values, matched });
      return byKey;
    };
    return { left: bySide(json.left), right: bySide(json.right) };
  }

  it('a restart from a checkpoint written by the release before gives the same results', () => {
    const job = compile({
      name: 'joined', kind: 'join', within: '1m', allowed_lateness: '30s', emit_unmatched: 'both',
      left: { type: 'fraud_detection', key: 'transaction_id', fields: ['decision'] },
      right: { type: 'transaction', key: 'transaction_id', fields: ['amount_reporting', 'status'] },
    });
    const make = (random: () => number, index: number) => random() < 0.5
      ? transaction(random, index)
      : { type: 'fraud_detection', fields: { transaction_id: `t${Math.floor(random() * 40)}`, decision: pick(random, ['approve', 'decline']) } };
    const batches = generateBatches({ seed: 27, batches: 12, perBatch: 30, step: 3_000, jitter: 30_000, lateShare: 0.1, lateBy: 300_000, futureShare: 0.02, make });
    const live = run(job, batches);
    let state = initialJobState(job);
    const emissions: Emission[] = [];
    for (const batch of batches) {
      const result = advanceJob(job, state, batch.events, batch.ingestedAt, SKEW);
      emissions.push(...result.emissions);
      const json = JSON.parse(JSON.stringify(result.state)) as JobState & { operator: { format: number; left: unknown[][]; right: unknown[][] } };
      expect(json.operator.format).toBe(2);
      state = { ...json, operator: earlierForm(json.operator) };
    }
    expect(live.emissions.filter((emission) => emission.row.matched).length).toBeGreaterThan(3);
    expect(emissions).toEqual(live.emissions);
  });
});

describe('pattern operator against the exhaustive reference', () => {
  for (const seed of [31, 32, 33, 34, 35, 36, 37, 38]) {
    it(`seed ${seed}: matches (with their events) and late events match`, () => {
      const lateness = seed % 2 === 0 ? 30_000 : 0;
      const steps: { type: string; where: Where; min_count: number }[] = [
        { type: 'security_alert', where: { category: 'failed_login' }, min_count: 3 },
        { type: 'transaction', where: { amount_reporting: { gt: 1000 } }, min_count: seed % 3 === 0 ? 2 : 1 },
      ];
      const job = compile({ name: 'takeover', kind: 'pattern', key: 'account_id', within: '2m', allowed_lateness: `${lateness / 1000}s`, steps, emit: { type: 'account_takeover_suspected' } });
      const make = (random: () => number, index: number) => random() < 0.55
        ? { type: 'security_alert', fields: { account_id: pick(random, ['a1', 'a2', 'a3']), category: random() < 0.8 ? 'failed_login' : 'new_device' } }
        : transaction(random, index);
      const batches = generateBatches({ seed, batches: 14, perBatch: 30, step: 3_000, jitter: 20_000, lateShare: 0.08, lateBy: 300_000, futureShare: 0.02, make });
      const live = run(job, batches);
      const reference = referencePattern(batches, {
        skew: SKEW, within: 120_000, lateness,
        steps: steps.map((step) => ({ type: step.type, key: 'account_id', where: compileWhere(step.where), minCount: step.min_count })),
      });
      expect(reference.matches.length).toBeGreaterThan(1);
      expect(live.late.length).toBeGreaterThan(0);
      expect(live.emissions.map((e) => e.row.event_ids)).toEqual(reference.matches);
      expect([...live.late].sort()).toEqual(reference.late.sort());
      // Each match is a derived event: a new type, version 1, its id from job, key and start.
      const ids = live.emissions.map((e) => e.row.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const { row } of live.emissions) {
        const eventIds = row.event_ids as string[];
        expect(row).toMatchObject({ type: 'account_takeover_suspected', version: 1, source: 'stream:takeover' });
        expect(row.id).toBe(derivedEventId('takeover', String(row.match_key), { id: eventIds[0]!, t: Date.parse(String(row.started_at)) }));
        expect(job.operator.derivedEvent!(row)).toEqual({
          id: row.id, type: 'account_takeover_suspected', version: 1, occurred_at: row.occurred_at, source: 'stream:takeover',
          data: { match_key: row.match_key, started_at: row.started_at, event_ids: eventIds },
        });
      }
      expect(run(job, batches, true)).toEqual(live);
      expect(inAnyOrderOfFuture(run(job, batches, false, true))).toEqual(inAnyOrderOfFuture(live));
    });
  }
});

describe('idle event types and the watermark', () => {
  const job = compile({
    name: 'joined', kind: 'join', allowed_lateness: '30s', within: '5m', emit_unmatched: 'none',
    left: { type: 'fraud_detection', key: 'transaction_id', fields: ['decision'] },
    right: { type: 'transaction', key: 'transaction_id', fields: ['status'] },
  });
  const MINUTE = 60_000;
  const T = Date.parse('2026-11-25T00:00:00Z');
  // Only transactions for 20 minutes, one batch a minute (event time = ingest time), 10 events each.
  const transactions = Array.from({ length: 20 }, (_, minute) => ({
    ingestedAt: T + minute * MINUTE,
    events: Array.from({ length: 10 }, (_, index): StreamEvent => ({ id: `t-${minute}-${index}`, type: 'transaction', time: T + minute * MINUTE - 1_000 + index, fields: { transaction_id: `x-${minute}-${index}`, status: 'captured' } })),
  }));
  const held = (state: JobState) => job.operator.stateEntries(state.operator);

  function feed(idleTimeout: number, checkpoint: boolean): JobState {
    let state = initialJobState(job);
    for (const batch of transactions) {
      state = advanceJob(job, state, batch.events, batch.ingestedAt, SKEW, idleTimeout).state;
      if (checkpoint) state = JSON.parse(JSON.stringify(state)) as JobState;
    }
    return state;
  }

  it('without an idle timeout, a type never seen holds the watermark and every event stays in the state', () => {
    const state = feed(Infinity, false);
    expect(state.watermark).toBeNull();
    expect(held(state)).toBe(200);
  });

  it('with one, the other type stops holding it back after the timeout, and the state stays bounded', () => {
    const state = feed(5 * MINUTE, false);
    // The newest transaction time; held: the transactions within `within` + lateness of it.
    expect(state.watermark).toBe(T + 19 * MINUTE - 1_000 + 9);
    expect(held(state)).toBeLessThanOrEqual(70);
    expect(held(state)).toBeGreaterThan(0);
    // Through checkpoints (JSON) the same.
    expect(feed(5 * MINUTE, true)).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it('a fraud decision that arrives later still joins a held transaction, or is refused as late when too old', () => {
    const state = feed(5 * MINUTE, false);
    const ingestedAt = T + 20 * MINUTE;
    const fresh: StreamEvent = { id: 'f-1', type: 'fraud_detection', time: T + 19 * MINUTE, fields: { transaction_id: 'x-19-3', decision: 'approve' } };
    const stale: StreamEvent = { id: 'f-2', type: 'fraud_detection', time: T + 2 * MINUTE, fields: { transaction_id: 'x-2-3', decision: 'decline' } };
    const result = advanceJob(job, state, [fresh, stale], ingestedAt, SKEW, 5 * MINUTE);
    expect(result.emissions.map((emission) => [emission.row.left_id, emission.row.right_id])).toEqual([['f-1', 't-19-3']]);
    expect(result.refused.map((refused) => [refused.eventId, refused.stage])).toEqual([['f-2', 'late']]);
  });
});
