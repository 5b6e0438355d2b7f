/**
 * Fast JSON text for good events: the same bytes as JSON.stringify (keys in object order,
 * undefined fields left out), built by concatenation with one function per type. About three
 * times faster than JSON.stringify on the hot path. Values come from the generator itself (ids,
 * codes, enums, numbers); the free-text fields are still escaped when they need it.
 */
import type { GeneratedEvent } from './events.js';

/** Whether JSON needs to escape anything in the text: quotes, backslashes, controls, surrogates. */
function needsEscape(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

/** A JSON string literal for free text. */
function text(value: string): string {
  return needsEscape(value) ? JSON.stringify(value) : '"' + value + '"';
}

/** A JSON number as JSON.stringify writes it (non-finite numbers become null). */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Coordinates come from a few thousand merchant locations, and formatting a double is slow, so
 * their text is cached (bounded, in case of other callers).
 */
const coordinateText = new Map<number, string>();

function coordinate(value: number): string {
  let out = coordinateText.get(value);
  if (out === undefined) {
    if (coordinateText.size >= 50_000) coordinateText.clear();
    out = num(value);
    coordinateText.set(value, out);
  }
  return out;
}

function head(event: GeneratedEvent): string {
  let out = '{"id":"' + event.id + '","type":"' + event.type + '","version":' + num(event.version) +
    ',"occurred_at":"' + event.occurred_at + '","source":"' + event.source + '"';
  if (event.trace_id !== undefined) out += ',"trace_id":"' + event.trace_id + '"';
  return out + ',"data":{';
}

function transaction(event: GeneratedEvent<'transaction'>): string {
  const d = event.data;
  let out = head(event) + '"transaction_id":"' + d.transaction_id + '","account_id":"' + d.account_id +
    '","customer_id":"' + d.customer_id + '"';
  if (d.merchant_id !== undefined) out += ',"merchant_id":"' + d.merchant_id + '"';
  if (d.merchant_category !== undefined) out += ',"merchant_category":"' + d.merchant_category + '"';
  out += ',"amount":"' + d.amount + '","currency":"' + d.currency + '","status":"' + d.status + '","channel":"' + d.channel +
    '","country":"' + d.country + '"';
  if (d.city !== undefined) out += ',"city":' + text(d.city);
  if (d.lat !== undefined) out += ',"lat":' + coordinate(d.lat);
  if (d.lon !== undefined) out += ',"lon":' + coordinate(d.lon);
  if (d.ip !== undefined) out += ',"ip":"' + d.ip + '"';
  if (d.device_id !== undefined) out += ',"device_id":"' + d.device_id + '"';
  return out + '}}';
}

function fraudDetection(event: GeneratedEvent<'fraud_detection'>): string {
  const d = event.data;
  let out = head(event) + '"detection_id":"' + d.detection_id + '","transaction_id":"' + d.transaction_id +
    '","account_id":"' + d.account_id + '","score":' + num(d.score) + ',"decision":"' + d.decision + '"';
  if (d.rules_triggered !== undefined) out += ',"rules_triggered":' + JSON.stringify(d.rules_triggered);
  if (d.model_version !== undefined) out += ',"model_version":' + text(d.model_version);
  if (d.label !== undefined) out += ',"label":"' + d.label + '"';
  return out + '}}';
}

function securityAlert(event: GeneratedEvent<'security_alert'>): string {
  const d = event.data;
  let out = head(event) + '"alert_id":"' + d.alert_id + '","severity":"' + d.severity + '","category":"' + d.category + '"';
  if (d.account_id !== undefined) out += ',"account_id":"' + d.account_id + '"';
  if (d.user_id !== undefined) out += ',"user_id":"' + d.user_id + '"';
  if (d.ip !== undefined) out += ',"ip":"' + d.ip + '"';
  if (d.country !== undefined) out += ',"country":"' + d.country + '"';
  if (d.description !== undefined) out += ',"description":' + text(d.description);
  return out + '}}';
}

function notification(event: GeneratedEvent<'notification'>): string {
  const d = event.data;
  let out = head(event) + '"notification_id":"' + d.notification_id + '","customer_id":"' + d.customer_id +
    '","channel":"' + d.channel + '","template":' + text(d.template) + ',"status":"' + d.status + '"';
  if (d.provider !== undefined) out += ',"provider":' + text(d.provider);
  if (d.latency_ms !== undefined) out += ',"latency_ms":' + num(d.latency_ms);
  if (d.related_event_id !== undefined) out += ',"related_event_id":"' + d.related_event_id + '"';
  return out + '}}';
}

/** JSON text of a generated event, identical to JSON.stringify(event). */
export function serializeEvent(event: GeneratedEvent): string {
  let out: string;
  switch (event.type) {
    case 'transaction':
      out = transaction(event as GeneratedEvent<'transaction'>);
      break;
    case 'fraud_detection':
      out = fraudDetection(event as GeneratedEvent<'fraud_detection'>);
      break;
    case 'security_alert':
      out = securityAlert(event as GeneratedEvent<'security_alert'>);
      break;
    case 'notification':
      out = notification(event as GeneratedEvent<'notification'>);
      break;
  }
  // Concatenation leaves a deep rope; reading one character makes V8 flatten it once, here,
  // instead of every later consumer walking the rope.
  out.charCodeAt(0);
  return out;
}
