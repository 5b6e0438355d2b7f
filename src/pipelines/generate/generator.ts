/**
 * The generation loop. A timeline lays out exactly `count` record slots in event time following
 * the seasonal intensity (raised inside spike anomalies). Each slot becomes one record:
 *
 * 1. a duplicate (an exact re-send of a recent good record) with probability duplicateRatio;
 * 2. a bad record with probability badRatio, cycling through every applicable BadKind;
 * 3. otherwise a good event: a follow-up that has fallen due (a score, a notice, the next alert
 *    of a burst), else an event owed to a spike anomaly, else a new primary event (transaction,
 *    notification or security alert) drawn by weight.
 *
 * A follow-up takes the time of the slot it fills, so event times never go backwards and the
 * seasonal shape holds for every type. Primaries of types that are not requested still run
 * silently when requested types follow from them (fraud detections need transactions).
 */
import { AnomalyPlan } from './anomalies.js';
import { BAD_KINDS, badKindEventType, makeBadRecord, type BadKind, type VariantCounters } from './bad-records.js';
import { buildFraudDetection, scoringDelay } from './builders/fraud-detection.js';
import { buildNotification, noticeDelay, type NoticeCause } from './builders/notification.js';
import { buildSecurityAlert, newBurst, type Burst } from './builders/security-alert.js';
import { buildTransaction, type TransactionFacts } from './builders/transaction.js';
import { WeightedChoice } from './alias-table.js';
import { EVENT_TYPES, type AlertCategory, type EventTypeName, type GeneratedEvent } from './events.js';
import { emptyCounts, type GroundTruth, type SecurityBurst } from './ground-truth.js';
import {
  BURST_SHARE,
  BURST_SIZE,
  DECLINE_NOTICE_SHARE,
  FRAUD_ALERT_NOTICE_SHARE,
  LOGIN_NOTICE_SHARE,
  PRIMARY_WEIGHTS,
  RECEIPT_SHARE,
  SCORED_SHARE,
  type PrimaryType,
} from './mix.js';
import { resolveOptions, type GenerateOptions, type ResolvedOptions } from './options.js';
import { PendingQueue } from './pending-queue.js';
import { ATTACKER_COUNTRIES, Population } from './population.js';
import { Prng } from './prng.js';
import { seasonalWeight, Timeline } from './seasonality.js';
import { serializeEvent } from './serialize.js';
import { TimestampFormatter } from './timestamps.js';
import type { World } from './world.js';

/** One output record. */
export interface GeneratedRecord {
  /** One NDJSON line without the newline; malformed when `bad` is set. */
  line: string;
  /** The event type, or null when the line names no valid type (not JSON, no or unknown type). */
  type: EventTypeName | null;
  /** The kind of malformation, or null for a valid record. */
  bad: BadKind | null;
  /** For a re-send, the id of the record it repeats; otherwise null. */
  duplicateOf: string | null;
}

type Pending =
  | { kind: 'score'; subject: TransactionFacts }
  | { kind: 'notice'; cause: NoticeCause }
  | { kind: 'burst_alert'; burst: Burst; truth: SecurityBurst | undefined };

/** Good records kept for re-sending as duplicates. */
const RECENT_CAPACITY = 256;
/** Safety net: a slot that needs more draws than this means a bug in the mix. */
const MAX_DRAWS_PER_SLOT = 100_000;

/**
 * Generates records lazily, one per iteration, in constant memory (apart from a couple of
 * minutes of pending follow-ups and, if given, the ground truth).
 *
 * Pass a GroundTruth from createGroundTruth(options) to have it filled; it is complete when the
 * generator is exhausted. Options are validated before the first record (UserError BAD_ARGUMENT).
 */
export function generateRecords(options: GenerateOptions, truth?: GroundTruth): Generator<GeneratedRecord> {
  const run = new GenerationRun(resolveOptions(options), truth);
  return run.records();
}

class GenerationRun {
  private readonly world: World;
  private readonly prng: Prng;
  private readonly timelinePrng: Prng;
  private readonly timeline: Timeline;
  private readonly pending = new PendingQueue<Pending>();
  private readonly primaries: WeightedChoice<PrimaryType>;
  private readonly anyPrimaryEmits: boolean;
  private readonly badKinds: BadKind[];
  private readonly badCounters: VariantCounters = new Map();
  private readonly enabledList: EventTypeName[];
  private badCursor = 0;
  private baseTypeCursor = 0;
  private readonly recentLines: string[] = [];
  private readonly recentIds: string[] = [];
  private readonly recentTypes: EventTypeName[] = [];
  private recentCursor = 0;
  private readonly ringTruth: string[][] = [];

  constructor(
    private readonly options: ResolvedOptions,
    private readonly truth: GroundTruth | undefined,
  ) {
    const { seed, startMs, endMs, count, types } = options;
    const population = new Population(seed);
    const plan = new AnomalyPlan(seed, startMs, endMs, types, population);
    this.prng = new Prng(seed, 0);
    this.timelinePrng = new Prng(seed, 3);
    this.world = { prng: this.prng, population, plan, timestamps: new TimestampFormatter(), enabled: types };
    this.timeline = new Timeline(startMs, endMs, count, (ms) => seasonalWeight(ms) * plan.intensityFactor(ms));

    const useful: [PrimaryType, number][] = [];
    if (types.has('transaction') || types.has('fraud_detection') || types.has('notification')) {
      useful.push(['transaction', PRIMARY_WEIGHTS.transaction]);
    }
    if (types.has('notification')) useful.push(['notification', PRIMARY_WEIGHTS.notification]);
    if (types.has('security_alert')) useful.push(['security_alert', PRIMARY_WEIGHTS.security_alert]);
    this.primaries = WeightedChoice.of(useful);
    this.anyPrimaryEmits = useful.some(([type]) => types.has(type));
    this.enabledList = EVENT_TYPES.filter((type) => types.has(type));
    this.badKinds = BAD_KINDS.filter((kind) => {
      const type = badKindEventType(kind);
      return type === null || types.has(type);
    });

    if (truth !== undefined) {
      truth.seed = seed;
      truth.start = new Date(startMs).toISOString();
      truth.end = new Date(endMs).toISOString();
      truth.counts = emptyCounts();
      truth.anomalies = plan.anomalies.map((anomaly) => ({ ...anomaly, dimensions: { ...anomaly.dimensions } }));
      truth.securityBursts = [];
      truth.badRecords = [];
      truth.duplicates = [];
      truth.fraudRings = population.rings.map((ring) => {
        const transactionIds: string[] = [];
        this.ringTruth.push(transactionIds);
        const members = ring.members.map((index) => population.customers[index]!);
        return {
          id: ring.id,
          customerIds: members.map((customer) => customer.id),
          accountIds: members.flatMap((customer) => customer.accounts.map((account) => account.id)),
          deviceIds: [...ring.devices],
          ips: [...ring.ips],
          transactionIds,
        };
      });
    }
  }

  *records(): Generator<GeneratedRecord> {
    const { count, duplicateRatio, badRatio } = this.options;
    const truth = this.truth;
    for (let index = 0; index < count; index++) {
      const at = this.timeline.next(this.timelinePrng);
      this.world.plan.advance(at);
      const roll = this.prng.float();
      const duplicate = roll < duplicateRatio;
      if (duplicate && this.recentLines.length > 0) {
        const slot = this.prng.int(this.recentLines.length);
        const id = this.recentIds[slot]!;
        if (truth !== undefined) {
          truth.counts.total++;
          truth.counts.duplicates++;
          truth.duplicates.push({ index, id });
        }
        yield { line: this.recentLines[slot]!, type: this.recentTypes[slot]!, bad: null, duplicateOf: id };
      } else if (!duplicate && roll < duplicateRatio + badRatio && this.badKinds.length > 0) {
        const kind = this.badKinds[this.badCursor++ % this.badKinds.length]!;
        const baseType = badKindEventType(kind) ?? this.enabledList[this.baseTypeCursor++ % this.enabledList.length]!;
        const bad = makeBadRecord(kind, this.detachedEvent(baseType, at), at, this.prng, this.badCounters);
        if (truth !== undefined) {
          truth.counts.total++;
          truth.counts.bad++;
          truth.counts.badByKind[kind] = (truth.counts.badByKind[kind] ?? 0) + 1;
          truth.badRecords.push({ index, kind, reason: bad.reason });
        }
        yield { line: bad.line, type: bad.type, bad: kind, duplicateOf: null };
      } else {
        const event = this.nextGoodEvent(at);
        const line = serializeEvent(event);
        this.remember(line, event.id, event.type);
        if (truth !== undefined) {
          truth.counts.total++;
          truth.counts.good++;
          truth.counts.byType[event.type]++;
        }
        yield { line, type: event.type, bad: null, duplicateOf: null };
      }
    }
  }

  private remember(line: string, id: string, type: EventTypeName): void {
    if (this.recentLines.length < RECENT_CAPACITY) {
      this.recentLines.push(line);
      this.recentIds.push(id);
      this.recentTypes.push(type);
      return;
    }
    this.recentLines[this.recentCursor] = line;
    this.recentIds[this.recentCursor] = id;
    this.recentTypes[this.recentCursor] = type;
    this.recentCursor = (this.recentCursor + 1) % RECENT_CAPACITY;
  }

  private nextGoodEvent(at: number): GeneratedEvent {
    const { plan } = this.world;
    for (let draw = 0; draw < MAX_DRAWS_PER_SLOT; draw++) {
      if (this.pending.size > 0 && (this.pending.peekDue() <= at || !this.anyPrimaryEmits)) {
        const event = this.emitPending(this.pending.pop(), at);
        if (event !== null) return event;
        continue;
      }
      const forced = plan.takeForced();
      if (forced === 'transaction_spike') {
        const event = this.emitTransaction(at);
        if (event !== null) return event;
      } else if (forced === 'security_alert_surge') {
        return this.emitSurgeAlert(at);
      }
      const primary = this.primaries.sample(this.prng);
      const event =
        primary === 'transaction' ? this.emitTransaction(at)
        : primary === 'notification' ? buildNotification(this.world, at)
        : this.emitSecurityAlert(at);
      if (event !== null) return event;
    }
    throw new Error('generator could not fill a slot: no requested event type can be produced');
  }

  /** A transaction and its follow-ups; returns it when transactions are requested. */
  private emitTransaction(at: number): GeneratedEvent | null {
    const { prng, enabled } = this.world;
    const facts = buildTransaction(this.world, at);
    if (enabled.has('fraud_detection') && (facts.ring >= 0 || prng.chance(SCORED_SHARE))) {
      this.pending.push(at + scoringDelay(this.world), { kind: 'score', subject: facts });
    }
    if (enabled.has('notification')) {
      const notice = facts.declined ? prng.chance(DECLINE_NOTICE_SHARE) : prng.chance(RECEIPT_SHARE);
      if (notice) this.scheduleNotice(at, facts.declined ? 'card_declined' : 'payment_receipt', facts.customer, facts.event);
    }
    if (!enabled.has('transaction')) return null;
    if (facts.ring >= 0) this.ringTruth[facts.ring]?.push(facts.event.data.transaction_id);
    return facts.event;
  }

  private emitSecurityAlert(at: number): GeneratedEvent {
    const { prng, enabled } = this.world;
    if (prng.chance(BURST_SHARE)) {
      const burst = newBurst(this.world);
      const size = prng.between(BURST_SIZE[0], BURST_SIZE[1]);
      const duration = prng.between(120_000, 600_000);
      let burstTruth: SecurityBurst | undefined;
      if (this.truth !== undefined) {
        const start = new Date(at).toISOString();
        burstTruth = { ip: burst.ip, start, end: start, alerts: 1 };
        this.truth.securityBursts.push(burstTruth);
      }
      const offsets = Array.from({ length: size - 1 }, () => prng.int(duration)).sort((a, b) => a - b);
      for (const offset of offsets) this.pending.push(at + offset, { kind: 'burst_alert', burst, truth: burstTruth });
      return buildSecurityAlert(this.world, at, { burst, category: 'failed_login' }).event;
    }
    const { event, customer } = buildSecurityAlert(this.world, at);
    const category = event.data.category;
    if (enabled.has('notification') && (category === 'new_device' || category === 'impossible_travel') && prng.chance(LOGIN_NOTICE_SHARE)) {
      this.scheduleNotice(at, 'login_alert', customer, event);
    }
    return event;
  }

  private emitSurgeAlert(at: number): GeneratedEvent {
    const { prng, plan } = this.world;
    const ips = plan.surgeIps();
    const which = prng.int(ips.length);
    const burst: Burst = { ip: ips[which]!, country: ATTACKER_COUNTRIES[which % ATTACKER_COUNTRIES.length]! };
    const category: AlertCategory = prng.chance(0.4) ? 'credential_stuffing' : 'failed_login';
    return buildSecurityAlert(this.world, at, { burst, category }).event;
  }

  private emitPending(pending: Pending, at: number): GeneratedEvent | null {
    const { prng, enabled } = this.world;
    switch (pending.kind) {
      case 'score': {
        const event = buildFraudDetection(this.world, at, pending.subject);
        const subject = pending.subject;
        if (!enabled.has('transaction') && subject.ring >= 0) this.ringTruth[subject.ring]?.push(subject.event.data.transaction_id);
        if (enabled.has('notification') && event.data.decision === 'decline' && prng.chance(FRAUD_ALERT_NOTICE_SHARE)) {
          this.scheduleNotice(at, 'fraud_alert', subject.customer, event);
        }
        return event;
      }
      case 'notice':
        return buildNotification(this.world, at, pending.cause);
      case 'burst_alert': {
        const category: AlertCategory = prng.chance(0.15) ? 'credential_stuffing' : 'failed_login';
        if (pending.truth !== undefined) {
          pending.truth.alerts++;
          pending.truth.end = new Date(at).toISOString();
        }
        return buildSecurityAlert(this.world, at, { burst: pending.burst, category }).event;
      }
    }
  }

  private scheduleNotice(at: number, template: NoticeCause['template'], customer: TransactionFacts['customer'], cause: GeneratedEvent): void {
    this.pending.push(at + noticeDelay(this.world), {
      kind: 'notice',
      cause: { template, customer, relatedEventId: cause.id, traceId: cause.trace_id },
    });
  }

  /** A valid event of a type, with no follow-ups and no ground truth: the base of a bad record. */
  private detachedEvent(type: EventTypeName, at: number): GeneratedEvent {
    switch (type) {
      case 'transaction':
        return buildTransaction(this.world, at).event;
      case 'fraud_detection':
        return buildFraudDetection(this.world, at, buildTransaction(this.world, at));
      case 'security_alert':
        return buildSecurityAlert(this.world, at).event;
      case 'notification':
        return buildNotification(this.world, at);
    }
  }
}
