/**
 * Fraud detections: the fraud engine scores a transaction a few seconds to two minutes after it.
 * Ordinary transactions score low with a tail of false positives; fraud-ring transactions score
 * high, are declined or reviewed, and investigators label most of them `fraud`. Some other
 * detections carry the label `legit`.
 */
import type { Decision, FraudDetectionData, GeneratedEvent, Label } from '../events.js';
import { randomId } from '../ids.js';
import { envelope, type World } from '../world.js';
import type { TransactionFacts } from './transaction.js';

const RULES = ['velocity_1h', 'amount_outlier', 'new_device', 'ip_country_mismatch', 'mcc_risk', 'night_activity', 'card_testing'];
const FALSE_POSITIVE_SHARE = 0.06;
const MODEL = 'fraud-v3.2.1';
const CHALLENGER = 'fraud-v3.3.0';
const MISCONFIGURED = 'fraud-v3.4.0-rc1';

/** Decline at or above this score, review at or above REVIEW_AT. */
export const DECLINE_AT = 0.85;
export const REVIEW_AT = 0.6;

/** The delay between a transaction and its score, in ms: mostly seconds, sometimes two minutes. */
export function scoringDelay(world: World): number {
  const { prng } = world;
  return prng.chance(0.75) ? prng.between(2_000, 15_000) : prng.between(15_000, 120_000);
}

/** Builds the fraud engine's verdict on a transaction, at `at`. */
export function buildFraudDetection(world: World, at: number, subject: TransactionFacts): GeneratedEvent<'fraud_detection'> {
  const { prng } = world;
  const inRing = subject.ring >= 0;
  let score: number;
  if (inRing) score = 0.72 + 0.27 * prng.float();
  else if (prng.chance(FALSE_POSITIVE_SHARE)) score = 0.45 + 0.5 * prng.float();
  else score = Math.pow(prng.float(), 3) * 0.5 + (subject.abroad ? 0.08 : 0) + (subject.large ? 0.08 : 0);
  score = Math.round(Math.min(0.9999, score) * 10_000) / 10_000;

  let decision: Decision = score >= DECLINE_AT ? 'decline' : score >= REVIEW_AT ? 'review' : 'approve';
  const surge = world.plan.reviewSurge();
  if (surge && decision === 'approve' && prng.chance(0.32)) decision = 'review';

  let rules: string[] | undefined;
  if (inRing) {
    rules = ['shared_device', 'shared_ip'];
    if (prng.chance(0.6)) rules.push('velocity_1h');
  } else if (score >= 0.3) {
    rules = [prng.pick(RULES)];
    if (score >= 0.6 && prng.chance(0.5)) {
      const second = prng.pick(RULES);
      if (second !== rules[0]) rules.push(second);
    }
    if (subject.abroad && !rules.includes('ip_country_mismatch')) rules.push('ip_country_mismatch');
  } else {
    rules = prng.chance(0.5) ? [] : undefined;
  }

  let label: Label | undefined;
  if (inRing) label = prng.chance(0.85) ? 'fraud' : undefined;
  else if (decision !== 'approve') label = prng.chance(0.4) ? 'legit' : undefined;
  else label = prng.chance(0.03) ? 'legit' : undefined;

  const data: FraudDetectionData = {
    detection_id: randomId(prng, 'det_', 16),
    transaction_id: subject.event.data.transaction_id,
    account_id: subject.event.data.account_id,
    score,
    decision,
    rules_triggered: rules,
    model_version: surge ? MISCONFIGURED : prng.chance(0.9) ? MODEL : CHALLENGER,
    label,
  };
  return envelope(world, 'fraud_detection', at, data, subject.event.trace_id);
}
