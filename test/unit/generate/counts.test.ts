import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/errors.js';
import {
  BAD_KINDS,
  BAD_KIND_REASONS,
  collectGroundTruth,
  EVENT_TYPES,
  generateRecords,
  type EventTypeName,
} from '../../../src/pipelines/generate/index.js';
import { DAY_END, DAY_START, generateAll, parse } from './sample-data.js';

describe('generateRecords counts', () => {
  it('writes exactly count records', () => {
    for (const count of [0, 1, 17, 2500]) {
      expect([...generateRecords({ seed: 1, count, start: DAY_START, end: DAY_END, badRatio: 0.1, duplicateRatio: 0.1 })]).toHaveLength(count);
    }
  });

  it('derives the count from rate × seconds when count is absent', () => {
    const start = new Date('2026-11-23T12:00:00Z');
    const end = new Date('2026-11-23T13:00:00Z');
    expect([...generateRecords({ seed: 1, rate: 0.5, start, end })]).toHaveLength(1800);
    // Default rate: 2 per second.
    expect([...generateRecords({ seed: 1, start, end: new Date('2026-11-23T12:10:00Z') })]).toHaveLength(1200);
  });

  it('keeps the bad and duplicate shares within tolerance and counts them in the ground truth', () => {
    const { records, truth } = generateAll({ seed: 5, count: 20_000, start: DAY_START, end: DAY_END, badRatio: 0.1, duplicateRatio: 0.05 });
    const bad = records.filter((record) => record.bad !== null).length;
    const duplicates = records.filter((record) => record.duplicateOf !== null).length;
    expect(bad / records.length).toBeGreaterThan(0.09);
    expect(bad / records.length).toBeLessThan(0.11);
    expect(duplicates / records.length).toBeGreaterThan(0.043);
    expect(duplicates / records.length).toBeLessThan(0.057);
    expect(truth.counts).toMatchObject({ total: 20_000, bad, duplicates, good: 20_000 - bad - duplicates });
    expect(truth.badRecords).toHaveLength(bad);
    expect(truth.duplicates).toHaveLength(duplicates);
  });

  it('produces every bad kind, each with a reason, when the count is large enough', () => {
    const { records, truth } = generateAll({ seed: 9, count: 5000, start: DAY_START, end: DAY_END, badRatio: 0.2 });
    const kinds = new Set(records.map((record) => record.bad).filter((kind) => kind !== null));
    expect([...kinds].sort()).toEqual([...BAD_KINDS].sort());
    for (const kind of BAD_KINDS) expect(BAD_KIND_REASONS[kind].length).toBeGreaterThan(10);
    for (const entry of truth.badRecords) {
      expect(records[entry.index]!.bad).toBe(entry.kind);
      expect(entry.reason.length).toBeGreaterThan(5);
    }
    expect(Object.values(truth.counts.badByKind).reduce((a, b) => a + b, 0)).toBe(truth.counts.bad);
  });

  it('re-sends earlier records byte for byte as duplicates', () => {
    const { records, truth } = generateAll({ seed: 11, count: 4000, start: DAY_START, end: DAY_END, duplicateRatio: 0.1 });
    const seen = new Map<string, string>();
    for (const [index, record] of records.entries()) {
      if (record.duplicateOf === null) {
        seen.set(parse(record).id, record.line);
        continue;
      }
      expect(seen.get(record.duplicateOf)).toBe(record.line);
      expect(truth.duplicates).toContainEqual({ index, id: record.duplicateOf });
    }
  });

  it('counts good records by type in the ground truth', () => {
    const { records, truth } = generateAll({ seed: 3, count: 6000, start: DAY_START, end: DAY_END, badRatio: 0.02, duplicateRatio: 0.02 });
    const byType = Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])) as Record<EventTypeName, number>;
    for (const record of records) if (record.bad === null && record.duplicateOf === null) byType[record.type!]++;
    expect(truth.counts.byType).toEqual(byType);
    // Transactions are the majority, then fraud detections (about half of them are scored).
    expect(byType.transaction / truth.counts.good).toBeGreaterThan(0.5);
    expect(byType.fraud_detection / byType.transaction).toBeGreaterThan(0.4);
    expect(byType.fraud_detection / byType.transaction).toBeLessThan(0.6);
    expect(byType.security_alert).toBeGreaterThan(0);
    expect(byType.notification).toBeGreaterThan(0);
  });

  it.each<EventTypeName[]>([['transaction'], ['fraud_detection'], ['security_alert'], ['notification'], ['fraud_detection', 'notification']])(
    'generates only the requested types %j',
    (...types) => {
      const records = [...generateRecords({ seed: 2, count: 1500, start: DAY_START, end: DAY_END, types, badRatio: 0.05 })];
      expect(records).toHaveLength(1500);
      for (const record of records) {
        if (record.bad === null) expect(types).toContain(record.type);
      }
    },
  );

  it('collects the same ground truth without keeping the records', () => {
    const options = { seed: 8, count: 3000, start: DAY_START, end: DAY_END, badRatio: 0.05, duplicateRatio: 0.05 };
    expect(collectGroundTruth(options)).toEqual(generateAll(options).truth);
  });

  it('rejects unusable options with a user error', () => {
    const bad = [
      { seed: 1.5, start: DAY_START, end: DAY_END },
      { seed: 1, start: DAY_END, end: DAY_START },
      { seed: 1, start: new Date('nope'), end: DAY_END },
      { seed: 1, start: DAY_START, end: DAY_END, count: -1 },
      { seed: 1, start: DAY_START, end: DAY_END, rate: 0 },
      { seed: 1, start: DAY_START, end: DAY_END, types: [] },
      { seed: 1, start: DAY_START, end: DAY_END, types: ['payments' as EventTypeName] },
      { seed: 1, start: DAY_START, end: DAY_END, badRatio: 1.5 },
      { seed: 1, start: DAY_START, end: DAY_END, badRatio: 0.6, duplicateRatio: 0.6 },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        generateRecords(options);
      } catch (error) {
        caught = error;
      }
      expect(isUserError(caught), JSON.stringify(options)).toBe(true);
    }
  });
});
