/**
 * Notifications from the notifier: receipts, decline and fraud notices caused by other events
 * (linked by related_event_id), and independent ones (codes, statements, marketing, webhooks).
 * Latency is log-normal per channel; each channel has its own failure and bounce mix; a
 * provider outage or a latency spike from the anomaly plan degrades one provider or channel.
 */
import { LATENCY_MEDIAN_MS, LATENCY_SPIKE_FACTOR, OUTAGE_FAILURE_SHARE } from '../anomalies.js';
import { WeightedChoice } from '../alias-table.js';
import type { GeneratedEvent, NotificationChannel, NotificationData, NotificationStatus } from '../events.js';
import { randomId } from '../ids.js';
import type { Customer } from '../population.js';
import { envelope, type World } from '../world.js';

/** Why a notification is sent when another event caused it. */
export interface NoticeCause {
  template: 'card_declined' | 'payment_receipt' | 'fraud_alert' | 'login_alert';
  customer: Customer;
  relatedEventId: string;
  traceId: string | undefined;
}

const CAUSED_CHANNELS: Readonly<Record<NoticeCause['template'], WeightedChoice<NotificationChannel>>> = {
  card_declined: WeightedChoice.of<NotificationChannel>([['push', 60], ['sms', 40]]),
  payment_receipt: WeightedChoice.of<NotificationChannel>([['email', 100]]),
  fraud_alert: WeightedChoice.of<NotificationChannel>([['sms', 70], ['push', 30]]),
  login_alert: WeightedChoice.of<NotificationChannel>([['email', 50], ['push', 50]]),
};

const INDEPENDENT = WeightedChoice.of<readonly [string, WeightedChoice<NotificationChannel>]>([
  [['otp_code', WeightedChoice.of<NotificationChannel>([['sms', 70], ['push', 30]])], 25],
  [['marketing_offer', WeightedChoice.of<NotificationChannel>([['email', 60], ['push', 40]])], 25],
  [['statement_ready', WeightedChoice.of<NotificationChannel>([['email', 100]])], 10],
  [['password_reset', WeightedChoice.of<NotificationChannel>([['email', 100]])], 8],
  [['webhook_payment_event', WeightedChoice.of<NotificationChannel>([['webhook', 100]])], 20],
  [['weekly_summary', WeightedChoice.of<NotificationChannel>([['email', 50], ['push', 50]])], 12],
]);

const PROVIDERS: Readonly<Record<NotificationChannel, WeightedChoice<string>>> = {
  email: WeightedChoice.of([['sendgrid', 70], ['amazon-ses', 30]]),
  sms: WeightedChoice.of([['twilio', 75], ['vonage', 25]]),
  push: WeightedChoice.of([['fcm', 65], ['apns', 35]]),
  webhook: WeightedChoice.of([['webhook-relay', 100]]),
};

/** Outcome mix per channel; delivered, opened and clicked count as delivered. */
const STATUSES: Readonly<Record<NotificationChannel, WeightedChoice<NotificationStatus>>> = {
  email: WeightedChoice.of<NotificationStatus>([['queued', 2], ['sent', 8], ['delivered', 55], ['opened', 17], ['clicked', 6], ['bounced', 8], ['failed', 4]]),
  sms: WeightedChoice.of<NotificationStatus>([['queued', 2], ['sent', 5], ['delivered', 90], ['failed', 3]]),
  push: WeightedChoice.of<NotificationStatus>([['queued', 1], ['sent', 6], ['delivered', 65], ['opened', 20], ['failed', 8]]),
  webhook: WeightedChoice.of<NotificationStatus>([['sent', 3], ['delivered', 92], ['failed', 5]]),
};

const LATENCY_SIGMA: Readonly<Record<NotificationChannel, number>> = { email: 0.8, sms: 0.7, push: 0.6, webhook: 0.9 };

/** The delay between a cause and its notice, in ms. */
export function noticeDelay(world: World): number {
  return world.prng.between(1_000, 20_000);
}

/** Builds one notification at `at`, caused by another event or independent. */
export function buildNotification(world: World, at: number, cause?: NoticeCause): GeneratedEvent<'notification'> {
  const { prng, population, plan } = world;
  let template: string;
  let channel: NotificationChannel;
  let customer: Customer;
  if (cause !== undefined) {
    template = cause.template;
    channel = CAUSED_CHANNELS[cause.template].sample(prng);
    customer = cause.customer;
  } else {
    const [name, channels] = INDEPENDENT.sample(prng);
    template = name;
    channel = channels.sample(prng);
    customer = population.customers[population.sampleCustomer(prng)]!;
  }
  const provider = PROVIDERS[channel].sample(prng);
  const outage = plan.outageProvider() === provider;
  let status = STATUSES[channel].sample(prng);
  if (outage && prng.chance(OUTAGE_FAILURE_SHARE)) status = 'failed';

  let latency: number | undefined;
  if (status !== 'queued') {
    let factor = outage ? 3 : 1;
    if (plan.slowChannel() === channel) factor *= LATENCY_SPIKE_FACTOR;
    latency = Math.round(prng.logNormal(LATENCY_MEDIAN_MS[channel] * factor, LATENCY_SIGMA[channel]));
  }

  const data: NotificationData = {
    notification_id: randomId(prng, 'ntf_', 16),
    customer_id: customer.id,
    channel,
    template,
    status,
    provider,
    latency_ms: latency,
    related_event_id: cause?.relatedEventId,
  };
  return envelope(world, 'notification', at, data, cause === undefined ? null : cause.traceId);
}
