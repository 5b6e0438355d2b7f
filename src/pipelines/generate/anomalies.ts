/**
 * Injected anomalies: a few one-hour windows, aligned to UTC hours and at least two hours apart,
 * where one metric of one event type departs clearly from normal, so a detector working on
 * hourly series should flag exactly those hours. About four per day of range (none when the
 * range has fewer than three whole hours), each listed in the ground truth.
 */
import type { EventTypeName, NotificationChannel } from './events.js';
import { expectedShares, followUpsPerTransaction } from './mix.js';
import { ipv4 } from './network.js';
import type { Population } from './population.js';
import { Prng } from './prng.js';
import { seasonalWeight } from './seasonality.js';

export type AnomalyKind =
  | 'transaction_spike'
  | 'decline_rate_surge'
  | 'notification_delivery_drop'
  | 'security_alert_surge'
  | 'notification_latency_spike'
  | 'fraud_review_surge';

/** One injected anomaly, as listed in the ground truth. */
export interface Anomaly {
  /** `anomaly_1`, `anomaly_2`, … in time order. */
  id: string;
  kind: AnomalyKind;
  /** The event type whose metric moves. */
  eventType: EventTypeName;
  /**
   * What moves, computed per hour over the events matching `dimensions`:
   * `count` (events), `decline_rate` (status declined / all transactions),
   * `delivery_rate` (status delivered, opened or clicked / all notifications),
   * `latency_ms_median`, `review_rate` (decision review / all fraud detections).
   */
  metric: 'count' | 'decline_rate' | 'delivery_rate' | 'latency_ms_median' | 'review_rate';
  /** Window start, inclusive, RFC 3339 UTC. */
  start: string;
  /** Window end, exclusive, RFC 3339 UTC. */
  end: string;
  /** Filter on `data` fields that selects the affected events; empty for the whole type. */
  dimensions: Record<string, string>;
  /** Expected ratio of the metric inside the window to its normal value (below 1 for drops). */
  magnitude: number;
  /** Normal value of the metric (rates and medians only). */
  baseline?: number;
  /** Expected value inside the window (rates and medians only). */
  anomalous?: number;
  description: string;
}

interface Window {
  anomaly: Anomaly;
  startMs: number;
  endMs: number;
  /** Extra slot intensity relative to normal (spikes only). */
  extra: number;
  /** Forced primaries owed per slot (spikes only). */
  forcedPerSlot: number;
  /** Attacker IPs of a security surge. */
  ips: string[];
}

const HOUR_MS = 3_600_000;

/**
 * Decline rate of ordinary transactions, the rate stated as the baseline (fraud-ring
 * transactions, declined more often, lift the observed rate a little), and the rate in a surge.
 */
export const DECLINE_RATE = { normal: 0.065, observed: 0.07, surge: 0.45 } as const;
/** Share of fraud decisions sent to review during a surge (REVIEW_RATE_NORMAL otherwise). */
export const REVIEW_RATE_SURGE = 0.35;
/** Share of a provider's notifications that fail during its outage. */
export const OUTAGE_FAILURE_SHARE = 0.7;
/** Latency multiplier during a latency spike. */
export const LATENCY_SPIKE_FACTOR = 5;
const TRANSACTION_SPIKE = 3;
const SECURITY_SURGE = 4;

const KIND_TYPE: Readonly<Record<AnomalyKind, EventTypeName>> = {
  transaction_spike: 'transaction',
  decline_rate_surge: 'transaction',
  notification_delivery_drop: 'notification',
  security_alert_surge: 'security_alert',
  notification_latency_spike: 'notification',
  fraud_review_surge: 'fraud_detection',
};

/** The anomalies of one data set and, while generating, the one active at the current time. */
export class AnomalyPlan {
  readonly anomalies: Anomaly[];
  private readonly windows: Window[];
  private cursor = 0;
  /** The window containing the current time, if any. */
  private active: Window | null = null;
  private debt = 0;

  constructor(seed: number, startMs: number, endMs: number, enabled: ReadonlySet<EventTypeName>, population: Population) {
    const prng = new Prng(seed, 2);
    this.windows = placeWindows(prng, startMs, endMs, enabled).map((startAt, index) =>
      this.describe(prng, startAt, startAt + HOUR_MS, index, enabled, population),
    );
    this.anomalies = this.windows.map((window) => window.anomaly);
  }

  /** Slot intensity multiplier at an instant: above 1 inside spike windows. */
  intensityFactor(ms: number): number {
    for (const window of this.windows) if (ms >= window.startMs && ms < window.endMs) return 1 + window.extra;
    return 1;
  }

  /** Moves the current time forward (times must not decrease). */
  advance(ms: number): void {
    while (this.cursor < this.windows.length && this.windows[this.cursor]!.endMs <= ms) {
      this.cursor++;
      this.debt = 0;
    }
    const window = this.windows[this.cursor];
    const inside = window !== undefined && ms >= window.startMs;
    this.active = inside ? window : null;
    if (inside) this.debt += window.forcedPerSlot;
  }

  /** Whether the current slot should carry an extra event of a spike; consumes it if so. */
  takeForced(): AnomalyKind | null {
    if (this.active === null || this.debt < 1) return null;
    this.debt -= 1;
    return this.active.anomaly.kind;
  }

  /** The country under a decline surge now, if any. */
  declineSurgeCountry(): string | undefined {
    return this.active?.anomaly.kind === 'decline_rate_surge' ? this.active.anomaly.dimensions.country : undefined;
  }

  /** The provider in an outage now, if any. */
  outageProvider(): string | undefined {
    return this.active?.anomaly.kind === 'notification_delivery_drop' ? this.active.anomaly.dimensions.provider : undefined;
  }

  /** The notification channel with slow deliveries now, if any. */
  slowChannel(): string | undefined {
    return this.active?.anomaly.kind === 'notification_latency_spike' ? this.active.anomaly.dimensions.channel : undefined;
  }

  /** Whether the fraud model sends too many cases to review now. */
  reviewSurge(): boolean {
    return this.active?.anomaly.kind === 'fraud_review_surge';
  }

  /** Attacker IPs of the security surge active now (empty otherwise). */
  surgeIps(): readonly string[] {
    return this.active?.anomaly.kind === 'security_alert_surge' ? this.active.ips : [];
  }

  private describe(
    prng: Prng,
    startMs: number,
    endMs: number,
    index: number,
    enabled: ReadonlySet<EventTypeName>,
    population: Population,
  ): Window {
    const kind = kindFor(index, enabled);
    const base = {
      id: `anomaly_${index + 1}`,
      kind,
      eventType: KIND_TYPE[kind],
      start: new Date(startMs).toISOString(),
      end: new Date(endMs).toISOString(),
    };
    const window = { startMs, endMs, extra: 0, forcedPerSlot: 0, ips: [] as string[] };
    const shares = expectedShares(enabled);
    switch (kind) {
      case 'transaction_spike': {
        const share = shares.transaction;
        window.extra = (TRANSACTION_SPIKE - 1) * share * (1 + followUpsPerTransaction(enabled));
        window.forcedPerSlot = ((TRANSACTION_SPIKE - 1) * share) / (1 + window.extra);
        return { ...window, anomaly: { ...base, metric: 'count', dimensions: {}, magnitude: TRANSACTION_SPIKE,
          description: 'Transaction volume triples for an hour (a flash sale or a retry storm).' } };
      }
      case 'security_alert_surge': {
        const share = shares.security_alert;
        window.extra = (SECURITY_SURGE - 1) * share;
        window.forcedPerSlot = ((SECURITY_SURGE - 1) * share) / (1 + window.extra);
        window.ips = Array.from({ length: 3 }, () => ipv4(prng));
        return { ...window, anomaly: { ...base, metric: 'count', dimensions: {}, magnitude: SECURITY_SURGE,
          description: `Security alerts quadruple: a credential-stuffing campaign from ${window.ips.join(', ')}.` } };
      }
      case 'decline_rate_surge': {
        const country = prng.pick(population.topCountries.slice(0, 3));
        return { ...window, anomaly: { ...base, metric: 'decline_rate', dimensions: { country },
          magnitude: round3(DECLINE_RATE.surge / DECLINE_RATE.observed), baseline: DECLINE_RATE.observed, anomalous: DECLINE_RATE.surge,
          description: `Declines jump in ${country} (an issuer or acquirer outage).` } };
      }
      case 'notification_delivery_drop': {
        const [provider, channel, baseline] = prng.pick(OUTAGE_CANDIDATES);
        const anomalous = round3(baseline * (1 - OUTAGE_FAILURE_SHARE));
        return { ...window, anomaly: { ...base, metric: 'delivery_rate', dimensions: { provider },
          magnitude: round3(anomalous / baseline), baseline, anomalous,
          description: `Provider ${provider} (${channel}) has an outage: most notifications fail and the rest are slow.` } };
      }
      case 'notification_latency_spike': {
        const channel = prng.pick<NotificationChannel>(['email', 'push']);
        const baseline = LATENCY_MEDIAN_MS[channel];
        return { ...window, anomaly: { ...base, metric: 'latency_ms_median', dimensions: { channel },
          magnitude: LATENCY_SPIKE_FACTOR, baseline, anomalous: baseline * LATENCY_SPIKE_FACTOR,
          description: `Delivery latency of ${channel} notifications rises fivefold (a congested queue).` } };
      }
      case 'fraud_review_surge': {
        return { ...window, anomaly: { ...base, metric: 'review_rate', dimensions: {},
          magnitude: round3(REVIEW_RATE_SURGE / REVIEW_RATE_NORMAL), baseline: REVIEW_RATE_NORMAL, anomalous: REVIEW_RATE_SURGE,
          description: 'A misconfigured model rollout sends many more cases to manual review.' } };
      }
    }
  }
}

/** Normal share of fraud detections decided `review` (see fraud-detection.ts). */
export const REVIEW_RATE_NORMAL = 0.04;

/** Median notification latency by channel, in ms (see notification.ts). */
export const LATENCY_MEDIAN_MS: Readonly<Record<NotificationChannel, number>> = { email: 1200, sms: 2500, push: 300, webhook: 150 };

/** Providers that can go down: name, channel, normal delivery rate. */
const OUTAGE_CANDIDATES: readonly (readonly [string, NotificationChannel, number])[] = [
  ['sendgrid', 'email', 0.78],
  ['twilio', 'sms', 0.9],
  ['fcm', 'push', 0.85],
];

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const ORDER: readonly AnomalyKind[] = [
  'transaction_spike', 'decline_rate_surge', 'notification_delivery_drop',
  'security_alert_surge', 'fraud_review_surge', 'notification_latency_spike',
];

/** Kinds cycle in a fixed order, skipping those whose type is not generated. */
function kindFor(index: number, enabled: ReadonlySet<EventTypeName>): AnomalyKind {
  const available = ORDER.filter((kind) => enabled.has(KIND_TYPE[kind]));
  return available[index % available.length]!;
}

/** Start times of the anomaly windows: busy whole hours, two hours apart, in time order. */
function placeWindows(prng: Prng, startMs: number, endMs: number, enabled: ReadonlySet<EventTypeName>): number[] {
  const firstHour = Math.ceil(startMs / HOUR_MS) + 1;
  const lastHour = Math.floor(endMs / HOUR_MS) - 2;
  if (lastHour - firstHour + 1 < 1 || (endMs - startMs) / HOUR_MS < 3) return [];
  const wanted = Math.min(50, Math.max(1, Math.round((4 * (endMs - startMs)) / (24 * HOUR_MS))));
  if (!ORDER.some((kind) => enabled.has(KIND_TYPE[kind]))) return [];
  const hours: number[] = [];
  for (let hour = firstHour; hour <= lastHour; hour++) hours.push(hour);
  // Fisher–Yates with the plan's PRNG, then prefer busy hours so the anomaly has volume.
  for (let i = hours.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [hours[i], hours[j]] = [hours[j]!, hours[i]!];
  }
  const busy = hours.filter((hour) => seasonalWeight((hour + 0.5) * HOUR_MS) >= 0.8);
  const chosen: number[] = [];
  for (const hour of [...busy, ...hours]) {
    if (chosen.length >= wanted) break;
    if (chosen.every((other) => Math.abs(other - hour) >= 3)) chosen.push(hour);
  }
  return chosen.sort((a, b) => a - b).map((hour) => hour * HOUR_MS);
}
