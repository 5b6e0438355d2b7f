import { describe, expect, it } from 'vitest';
import { generateRecords } from '../../../src/pipelines/generate/index.js';
import { serializeEvent } from '../../../src/pipelines/generate/serialize.js';
import type { GeneratedEvent } from '../../../src/pipelines/generate/events.js';
import { DAY_END, DAY_START } from './sample-data.js';

describe('serializeEvent', () => {
  it('writes the same bytes as JSON.stringify for generated events', () => {
    for (const record of generateRecords({ seed: 4, count: 5000, start: DAY_START, end: DAY_END })) {
      const event = JSON.parse(record.line) as GeneratedEvent;
      expect(serializeEvent(event)).toBe(record.line);
      expect(record.line).toBe(JSON.stringify(event));
    }
  });

  it('escapes free text and leaves out undefined fields', () => {
    const event: GeneratedEvent<'security_alert'> = {
      id: 'evt_x',
      type: 'security_alert',
      version: 1,
      occurred_at: '2026-11-25T18:00:00.123+01:00',
      source: 'auth-service',
      trace_id: undefined,
      data: {
        alert_id: 'alr_1',
        severity: 'low',
        category: 'other',
        account_id: undefined,
        user_id: 'usr_1',
        ip: undefined,
        country: undefined,
        description: 'He said "hi"\\\n\u0001 São Paulo \ud83d\ude00',
      },
    };
    expect(serializeEvent(event)).toBe(JSON.stringify(event));
    const notice: GeneratedEvent<'notification'> = {
      id: 'evt_y',
      type: 'notification',
      version: 1,
      occurred_at: '2026-11-25T18:00:00.123Z',
      source: 'notifier',
      trace_id: 'abc',
      data: {
        notification_id: 'ntf_1',
        customer_id: 'cus_1',
        channel: 'email',
        template: 'tmpl "quoted"',
        status: 'sent',
        provider: undefined,
        latency_ms: 12,
        related_event_id: undefined,
      },
    };
    expect(serializeEvent(notice)).toBe(JSON.stringify(notice));
  });
});
