/**
 * What a generated data set contains, for tests and demos to check analytics against: counts,
 * injected anomalies, fraud rings, credential-stuffing bursts, and every bad and duplicate record
 * by its 0-based index in the output.
 *
 * The generator fills a GroundTruth while it runs; it is complete once the generator is
 * exhausted. Its lists grow with the number of bad records, duplicates and ring transactions
 * (small shares of the output); leave it out when only the records are wanted.
 */
import type { Anomaly } from './anomalies.js';
import type { BadKind } from './bad-records.js';
import { EVENT_TYPES, type EventTypeName } from './events.js';
import { resolveOptions, type GenerateOptions } from './options.js';

export interface GroundTruthCounts {
  /** All records written: good + bad + duplicates. */
  total: number;
  /** Valid records, duplicates excluded. */
  good: number;
  bad: number;
  duplicates: number;
  /** Valid records by type, duplicates excluded. */
  byType: Record<EventTypeName, number>;
  /** Bad records by kind (kinds that occurred). */
  badByKind: Partial<Record<BadKind, number>>;
}

/** A group of accounts that share devices and IPs and transact fraudulently. */
export interface FraudRing {
  id: string;
  customerIds: string[];
  accountIds: string[];
  deviceIds: string[];
  ips: string[];
  /** Every ring transaction in the output (as a transaction or as the subject of a fraud detection). */
  transactionIds: string[];
}

/** A burst of failed logins from one IP within minutes. */
export interface SecurityBurst {
  ip: string;
  /** First and last alert's time, RFC 3339 UTC. */
  start: string;
  end: string;
  alerts: number;
}

export interface BadRecordTruth {
  /** 0-based index of the record in the output. */
  index: number;
  kind: BadKind;
  /** What is wrong, with the field path. */
  reason: string;
}

export interface DuplicateTruth {
  /** 0-based index of the re-sent record in the output. */
  index: number;
  /** The id it repeats. */
  id: string;
}

export interface GroundTruth {
  seed: number;
  /** Event-time range, RFC 3339 UTC. */
  start: string;
  end: string;
  counts: GroundTruthCounts;
  anomalies: Anomaly[];
  fraudRings: FraudRing[];
  securityBursts: SecurityBurst[];
  badRecords: BadRecordTruth[];
  duplicates: DuplicateTruth[];
}

/** An empty ground truth for these options, to pass to generateRecords. */
export function createGroundTruth(options: GenerateOptions): GroundTruth {
  const resolved = resolveOptions(options);
  return {
    seed: resolved.seed,
    start: new Date(resolved.startMs).toISOString(),
    end: new Date(resolved.endMs).toISOString(),
    counts: emptyCounts(),
    anomalies: [],
    fraudRings: [],
    securityBursts: [],
    badRecords: [],
    duplicates: [],
  };
}

export function emptyCounts(): GroundTruthCounts {
  return {
    total: 0,
    good: 0,
    bad: 0,
    duplicates: 0,
    byType: Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<EventTypeName, number>,
    badByKind: {},
  };
}
