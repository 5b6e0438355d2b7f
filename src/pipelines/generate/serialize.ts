/**
 * Fast JSON text for good events: the same bytes as JSON.stringify (keys in object order,
 * undefined fields left out), built by concatenation, about three times faster on the hot path.
 * Values come from the generator itself; the free-text fields are still escaped when needed.
 */
import { DATA_FIELDS, type EventTypeName, type GeneratedEvent } from './events.js';

/** Fields whose text is not from a fixed alphabet and may need JSON escaping. */
const FREE_TEXT = new Set(['city', 'description', 'template', 'provider', 'model_version']);

/** Whether JSON needs to escape anything in the text: quotes, backslashes, controls, surrogates. */
function needsEscape(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

interface FieldPlan {
  name: string;
  /** `"name":` */
  key: string;
  freeText: boolean;
}

function planOf(type: EventTypeName): readonly FieldPlan[] {
  return DATA_FIELDS[type].map((name) => ({ name, key: `"${name}":`, freeText: FREE_TEXT.has(name) }));
}

const PLANS: Readonly<Record<EventTypeName, readonly FieldPlan[]>> = {
  transaction: planOf('transaction'),
  fraud_detection: planOf('fraud_detection'),
  security_alert: planOf('security_alert'),
  notification: planOf('notification'),
};

function stringValue(value: string, freeText: boolean): string {
  return freeText && needsEscape(value) ? JSON.stringify(value) : '"' + value + '"';
}

/** JSON text of a generated event, identical to JSON.stringify(event). */
export function serializeEvent(event: GeneratedEvent): string {
  let out = '{"id":"' + event.id + '","type":"' + event.type + '","version":' + event.version +
    ',"occurred_at":"' + event.occurred_at + '","source":"' + event.source + '"';
  if (event.trace_id !== undefined) out += ',"trace_id":"' + event.trace_id + '"';
  out += ',"data":{';
  const data = event.data as unknown as Record<string, unknown>;
  const plan = PLANS[event.type];
  let first = true;
  for (let index = 0; index < plan.length; index++) {
    const field = plan[index]!;
    const value = data[field.name];
    if (value === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += field.key;
    if (typeof value === 'string') out += stringValue(value, field.freeText);
    else if (typeof value === 'number') out += Number.isFinite(value) ? String(value) : 'null';
    else out += JSON.stringify(value);
  }
  return out + '}}';
}
