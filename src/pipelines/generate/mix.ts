/**
 * The event mix: which events start a chain (primaries) and which follow from others, with the
 * probabilities that link them. With all four types the records come out at about 58%
 * transactions, 29% fraud detections, 10% notifications and 3% security alerts. A 70% share of
 * transactions and 60% of them scored cannot both hold once the scores are records too, so
 * transactions stay the clear majority and half of them are scored by the fraud engine, a few
 * seconds to two minutes later.
 */
import type { EventTypeName } from './events.js';

/** Relative frequency of the events that start a chain. */
export const PRIMARY_WEIGHTS = { transaction: 0.9, notification: 0.065, security_alert: 0.035 } as const;
export type PrimaryType = keyof typeof PRIMARY_WEIGHTS;

/** Share of transactions that the fraud engine scores. */
export const SCORED_SHARE = 0.5;
/** A declined transaction tells the customer (push or SMS) this often. */
export const DECLINE_NOTICE_SHARE = 0.8;
/** Other transactions send an e-mail receipt this often. */
export const RECEIPT_SHARE = 0.04;
/** A fraud decline alerts the customer this often. */
export const FRAUD_ALERT_NOTICE_SHARE = 0.6;
/** A security primary is a credential-stuffing burst this often. */
export const BURST_SHARE = 0.015;
/** Burst size range (alerts from one IP within minutes). */
export const BURST_SIZE = [15, 60] as const;
/** New-device and impossible-travel alerts send a login notice this often. */
export const LOGIN_NOTICE_SHARE = 0.5;

/** Expected notifications per transaction (declines ≈ 6.5%). */
const NOTICES_PER_TRANSACTION = 0.065 * DECLINE_NOTICE_SHARE + 0.935 * RECEIPT_SHARE;
/** Expected alerts per security primary, bursts included. */
const ALERTS_PER_SECURITY_PRIMARY = 1 + BURST_SHARE * ((BURST_SIZE[0] + BURST_SIZE[1]) / 2);

/** Expected share of each enabled type among the generated good records. */
export function expectedShares(enabled: ReadonlySet<EventTypeName>): Record<EventTypeName, number> {
  const on = (type: EventTypeName) => (enabled.has(type) ? 1 : 0);
  const transactionWeight = on('transaction') || on('fraud_detection') || on('notification') ? PRIMARY_WEIGHTS.transaction : 0;
  const notificationWeight = on('notification') * PRIMARY_WEIGHTS.notification;
  const securityWeight = on('security_alert') * PRIMARY_WEIGHTS.security_alert;
  const emitted: Record<EventTypeName, number> = {
    transaction: transactionWeight * on('transaction'),
    fraud_detection: transactionWeight * SCORED_SHARE * on('fraud_detection'),
    security_alert: securityWeight * ALERTS_PER_SECURITY_PRIMARY,
    notification: notificationWeight + on('notification') * (transactionWeight * NOTICES_PER_TRANSACTION + securityWeight * 0.1),
  };
  const total = emitted.transaction + emitted.fraud_detection + emitted.security_alert + emitted.notification;
  return {
    transaction: emitted.transaction / total,
    fraud_detection: emitted.fraud_detection / total,
    security_alert: emitted.security_alert / total,
    notification: emitted.notification / total,
  };
}

/** Expected records that follow from one transaction (its score and notices). */
export function followUpsPerTransaction(enabled: ReadonlySet<EventTypeName>): number {
  return (enabled.has('fraud_detection') ? SCORED_SHARE : 0) + (enabled.has('notification') ? NOTICES_PER_TRANSACTION : 0);
}
