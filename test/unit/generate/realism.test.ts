import { describe, expect, it } from 'vitest';
import type { Anomaly, GeneratedRecord } from '../../../src/pipelines/generate/index.js';
import { generateAll, parse, type EventJson } from './sample-data.js';

const HOUR = 3_600_000;

function goodEvents(records: GeneratedRecord[]): EventJson[] {
  return records.filter((record) => record.bad === null && record.duplicateOf === null).map(parse);
}

describe('seasonality', () => {
  // Two weeks from a Monday, so weekdays and weekends both appear.
  const { records } = generateAll({ seed: 31, count: 60_000, start: new Date('2026-11-02T00:00:00Z'), end: new Date('2026-11-16T00:00:00Z') });
  const events = goodEvents(records);
  const byHour = new Array<number>(24).fill(0);
  const weekdayMorning = { weekday: 0, weekend: 0 };
  for (const event of events) {
    const at = new Date(event.occurred_at);
    byHour[at.getUTCHours()]!++;
    if (at.getUTCHours() >= 7 && at.getUTCHours() < 9) {
      if (at.getUTCDay() === 0 || at.getUTCDay() === 6) weekdayMorning.weekend++;
      else weekdayMorning.weekday++;
    }
  }

  it('is quiet at night and busy at midday and in the evening', () => {
    const night = byHour[2]! + byHour[3]! + byHour[4]!;
    const midday = byHour[11]! + byHour[12]! + byHour[13]!;
    const evening = byHour[18]! + byHour[19]! + byHour[20]!;
    expect(midday).toBeGreaterThan(4 * night);
    expect(evening).toBeGreaterThan(4 * night);
  });

  it('starts later on weekends', () => {
    // Per day: 10 weekdays, 4 weekend days in the range.
    expect(weekdayMorning.weekday / 10).toBeGreaterThan(1.3 * (weekdayMorning.weekend / 4));
  });

  it('keeps event time non-decreasing apart from re-sends', () => {
    let last = 0;
    for (const record of records) {
      if (record.duplicateOf !== null) continue;
      const at = Date.parse(parse(record).occurred_at);
      expect(at).toBeGreaterThanOrEqual(last);
      last = at;
    }
  });
});

describe('fraud rings', () => {
  const { records, truth } = generateAll({ seed: 41, count: 40_000, start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-24T00:00:00Z') });
  const events = goodEvents(records);
  const ringAccounts = new Map<string, string>();
  for (const ring of truth.fraudRings) for (const account of ring.accountIds) ringAccounts.set(account, ring.id);

  it('lists a few rings of several accounts that share devices and IPs', () => {
    expect(truth.fraudRings.length).toBeGreaterThanOrEqual(3);
    for (const ring of truth.fraudRings) {
      expect(ring.accountIds.length).toBeGreaterThanOrEqual(4);
      expect(ring.deviceIds.length).toBeGreaterThan(0);
      expect(ring.ips.length).toBeGreaterThan(0);
      expect(ring.transactionIds.length).toBeGreaterThan(10);
    }
  });

  it('labels fraud only on ring transactions, with high scores and decline or review', () => {
    const frauds = events.filter((event) => event.type === 'fraud_detection' && event.data.label === 'fraud');
    expect(frauds.length).toBeGreaterThan(20);
    for (const { data } of frauds) {
      expect(ringAccounts.has(data.account_id as string)).toBe(true);
      expect(data.score as number).toBeGreaterThanOrEqual(0.7);
      expect(['decline', 'review']).toContain(data.decision);
    }
    expect(events.some((event) => event.type === 'fraud_detection' && event.data.label === 'legit')).toBe(true);
  });

  it('uses the ring devices and IPs on ring transactions, and lists their ids in the ground truth', () => {
    const ringTransactions = new Set(truth.fraudRings.flatMap((ring) => ring.transactionIds));
    for (const event of events.filter((e) => e.type === 'transaction' && ringAccounts.has(e.data.account_id as string))) {
      const ring = truth.fraudRings.find((r) => r.id === ringAccounts.get(event.data.account_id as string))!;
      expect(ringTransactions.has(event.data.transaction_id as string)).toBe(true);
      if (event.data.device_id !== undefined) expect(ring.deviceIds).toContain(event.data.device_id);
      if (event.data.ip !== undefined) expect(ring.ips).toContain(event.data.ip);
    }
  });

  it('scores ordinary transactions mostly low', () => {
    const ordinary = events.filter((e) => e.type === 'fraud_detection' && !ringAccounts.has(e.data.account_id as string));
    const low = ordinary.filter((e) => (e.data.score as number) < 0.5).length;
    expect(low / ordinary.length).toBeGreaterThan(0.85);
  });
});

describe('security alerts and notifications', () => {
  const { records, truth } = generateAll({ seed: 51, count: 60_000, start: new Date('2026-11-23T00:00:00Z'), end: new Date('2026-11-24T00:00:00Z') });
  const events = goodEvents(records);
  const alerts = events.filter((e) => e.type === 'security_alert');
  const notifications = events.filter((e) => e.type === 'notification');

  it('has mostly low and medium severities and rare criticals', () => {
    const share = (severity: string) => alerts.filter((e) => e.data.severity === severity).length / alerts.length;
    expect(share('low') + share('medium')).toBeGreaterThan(0.75);
    expect(share('critical')).toBeGreaterThan(0);
    expect(share('critical')).toBeLessThan(0.05);
  });

  it('has bursts of failed logins from one IP within minutes', () => {
    expect(truth.securityBursts.length).toBeGreaterThan(0);
    for (const burst of truth.securityBursts) {
      const fromIp = alerts.filter((e) => e.data.ip === burst.ip && Date.parse(e.occurred_at) >= Date.parse(burst.start) && Date.parse(e.occurred_at) <= Date.parse(burst.end));
      expect(fromIp.length).toBe(burst.alerts);
      expect(burst.alerts).toBeGreaterThanOrEqual(15);
      expect(Date.parse(burst.end) - Date.parse(burst.start)).toBeLessThan(30 * 60_000);
      for (const alert of fromIp) expect(['failed_login', 'credential_stuffing']).toContain(alert.data.category);
    }
  });

  it('has some failed and bounced notifications, and log-normal latency that differs by channel', () => {
    const failed = notifications.filter((e) => e.data.status === 'failed' || e.data.status === 'bounced').length;
    expect(failed / notifications.length).toBeGreaterThan(0.02);
    expect(failed / notifications.length).toBeLessThan(0.3);
    const median = (channel: string) => {
      const values = notifications.filter((e) => e.data.channel === channel && typeof e.data.latency_ms === 'number').map((e) => e.data.latency_ms as number).sort((a, b) => a - b);
      return values[values.length >> 1]!;
    };
    expect(median('sms')).toBeGreaterThan(median('push'));
    expect(median('email')).toBeGreaterThan(median('webhook'));
    for (const e of notifications) if (e.data.latency_ms !== undefined) expect(Number.isInteger(e.data.latency_ms)).toBe(true);
  });
});

/** The anomaly metric for each hour, over the events its dimensions select. */
function hourlyMetric(events: EventJson[], anomaly: Anomaly): Map<number, { value: number; n: number }> {
  const buckets = new Map<number, EventJson[]>();
  for (const event of events) {
    if (event.type !== anomaly.eventType) continue;
    if (!Object.entries(anomaly.dimensions).every(([key, value]) => event.data[key] === value)) continue;
    const hour = Math.floor(Date.parse(event.occurred_at) / HOUR);
    let list = buckets.get(hour);
    if (list === undefined) buckets.set(hour, (list = []));
    list.push(event);
  }
  const result = new Map<number, { value: number; n: number }>();
  for (const [hour, list] of buckets) {
    const share = (predicate: (e: EventJson) => boolean) => list.filter(predicate).length / list.length;
    let value: number;
    switch (anomaly.metric) {
      case 'count': value = list.length; break;
      case 'decline_rate': value = share((e) => e.data.status === 'declined'); break;
      case 'delivery_rate': value = share((e) => ['delivered', 'opened', 'clicked'].includes(e.data.status as string)); break;
      case 'review_rate': value = share((e) => e.data.decision === 'review'); break;
      case 'latency_ms_median': {
        const values = list.map((e) => e.data.latency_ms).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
        value = values[values.length >> 1] ?? 0;
        break;
      }
    }
    result.set(hour, { value, n: list.length });
  }
  return result;
}

describe('injected anomalies', () => {
  const start = new Date('2026-11-23T00:00:00Z');
  const end = new Date('2026-11-25T00:00:00Z');
  const { records, truth } = generateAll({ seed: 61, count: 160_000, start, end, badRatio: 0.01, duplicateRatio: 0.01 });
  const events = goodEvents(records);

  it('plans about four one-hour anomalies per day, covering every kind over two days', () => {
    expect(truth.anomalies.length).toBe(8);
    expect(new Set(truth.anomalies.map((a) => a.kind)).size).toBe(6);
    for (const anomaly of truth.anomalies) {
      expect(Date.parse(anomaly.end) - Date.parse(anomaly.start)).toBe(HOUR);
      expect(Date.parse(anomaly.start) % HOUR).toBe(0);
      expect(Date.parse(anomaly.start)).toBeGreaterThanOrEqual(start.getTime());
      expect(Date.parse(anomaly.end)).toBeLessThanOrEqual(end.getTime());
      expect(anomaly.description.length).toBeGreaterThan(10);
    }
  });

  it('moves each metric clearly inside its window compared with the neighbouring hours', () => {
    for (const anomaly of truth.anomalies) {
      const series = hourlyMetric(events, anomaly);
      const hour = Date.parse(anomaly.start) / HOUR;
      const inside = series.get(hour)!;
      const neighbours = [hour - 2, hour - 1, hour + 1, hour + 2].map((h) => series.get(h)).filter((v) => v !== undefined);
      const normal = neighbours.reduce((sum, v) => sum + v.value, 0) / neighbours.length;
      const ratio = inside.value / normal;
      const label = `${anomaly.kind} ${anomaly.start} inside=${inside.value} normal=${normal}`;
      if (anomaly.magnitude > 1) expect(ratio, label).toBeGreaterThan(1 + (anomaly.magnitude - 1) * 0.5);
      else expect(ratio, label).toBeLessThan(1 - (1 - anomaly.magnitude) * 0.5);
      if (anomaly.baseline !== undefined) {
        expect(Math.abs(normal - anomaly.baseline) / anomaly.baseline, label).toBeLessThan(0.4);
        expect(Math.abs(inside.value - anomaly.anomalous!) / anomaly.anomalous!, label).toBeLessThan(0.4);
      }
    }
  });

  it('scales the number of anomalies with the range and skips ranges too short to see one', () => {
    const short = generateAll({ seed: 1, count: 500, start, end: new Date(start.getTime() + 2 * HOUR) });
    expect(short.truth.anomalies).toEqual([]);
    const week = generateAll({ seed: 1, count: 1000, start, end: new Date(start.getTime() + 7 * 24 * HOUR) });
    expect(week.truth.anomalies.length).toBe(28);
    const onlyAlerts = generateAll({ seed: 1, count: 1000, start, end, types: ['security_alert'] });
    expect(onlyAlerts.truth.anomalies.every((a) => a.eventType === 'security_alert')).toBe(true);
  });
});
