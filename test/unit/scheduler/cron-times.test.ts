import { describe, expect, it } from 'vitest';
import { fireTimesBetween, formatInZone, nextFireTime, nextFireTimes } from '../../../src/scheduler/cron-times.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('cron fire times', () => {
  it('reads 5-field expressions as minutes and 6-field ones with seconds first', () => {
    const from = Date.parse('2026-01-01T00:00:00.500Z');
    expect(iso(nextFireTime({ cron: '*/15 * * * *', timezone: 'UTC' }, from))).toBe('2026-01-01T00:15:00.000Z');
    expect(iso(nextFireTime({ cron: '* * * * * *', timezone: 'UTC' }, from))).toBe('2026-01-01T00:00:01.000Z');
    expect(nextFireTimes({ cron: '*/10 * * * * *', timezone: 'UTC' }, from, 3).map(iso)).toEqual([
      '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:30.000Z',
    ]);
  });

  it('fires 02:30 Europe/Berlin at 03:00 on the night the clocks skip 02:00-03:00, and once on the night 02:30 happens twice', () => {
    const job = { cron: '30 2 * * *', timezone: 'Europe/Berlin' };
    // Spring forward: 2026-03-29 02:00 CET becomes 03:00 CEST.
    expect(nextFireTimes(job, Date.parse('2026-03-27T12:00:00Z'), 4).map((time) => formatInZone(time, 'Europe/Berlin'))).toEqual([
      '2026-03-28T02:30:00+01:00', '2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00',
    ]);
    // Fall back: 2026-10-25 03:00 CEST becomes 02:00 CET; a daily job runs once.
    expect(nextFireTimes(job, Date.parse('2026-10-23T12:00:00Z'), 3).map(iso)).toEqual([
      '2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('counts fire times in a range, and caps the count but still finds the last one', () => {
    const everySecond = { cron: '* * * * * *', timezone: 'UTC' };
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect(fireTimesBetween(everySecond, start, start + 10_000)).toEqual({ count: 10, first: start + 1_000, last: start + 10_000, capped: false });
    const capped = fireTimesBetween(everySecond, start, start + 3_600_000 + 500, 100);
    expect(capped).toMatchObject({ count: 100, first: start + 1_000, last: start + 3_600_000, capped: true });
    expect(fireTimesBetween({ cron: '0 3 * * *', timezone: 'UTC' }, start, start + 3_600_000).count).toBe(0);
  });

  it('writes times in the job zone with its offset', () => {
    expect(formatInZone(Date.parse('2026-07-01T10:00:00Z'), 'America/New_York')).toBe('2026-07-01T06:00:00-04:00');
    expect(formatInZone(Date.parse('2026-07-01T10:00:00Z'), 'UTC')).toBe('2026-07-01T10:00:00Z');
    expect(formatInZone(Date.parse('2026-07-01T10:00:00Z'), 'Asia/Kolkata')).toBe('2026-07-01T15:30:00+05:30');
  });
});
