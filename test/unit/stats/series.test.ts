import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/errors.js';
import { regularize, seasonLength, StatsInputError, trend, type Series } from '../../../src/analytics/stats/index.js';

const at = (iso: string) => new Date(iso);
const hourly = (pairs: [string, number][]): Series => ({ grain: 'hour', points: pairs.map(([t, value]) => ({ timestamp: at(t), value })) });

function thrown(fn: () => unknown): StatsInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StatsInputError);
    expect(isUserError(error)).toBe(true);
    expect((error as StatsInputError).code).toBe('BAD_ARGUMENT');
    return error as StatsInputError;
  }
  throw new Error('expected a StatsInputError');
}

describe('seasonLength', () => {
  it('maps each grain to its natural cycle', () => {
    expect(['minute', 'hour', 'day', 'week', 'month', 'quarter'].map((g) => seasonLength(g as never))).toEqual([60, 24, 7, 52, 12, 4]);
  });
});

describe('regularize', () => {
  it('sorts points without changing the input', () => {
    const input = hourly([['2026-01-01T02:00:00Z', 3], ['2026-01-01T00:00:00Z', 1], ['2026-01-01T01:00:00Z', 2]]);
    const { series, filled } = regularize(input);
    expect(series.points.map((p) => p.value)).toEqual([1, 2, 3]);
    expect(filled).toEqual([]);
    expect(input.points[0]!.value).toBe(3);
  });

  it('refuses NaN and infinite values, naming the first bad timestamp in time order', () => {
    const error = thrown(() =>
      regularize(hourly([['2026-01-01T03:00:00Z', Number.NaN], ['2026-01-01T01:00:00Z', Number.POSITIVE_INFINITY], ['2026-01-01T00:00:00Z', 1]])),
    );
    expect(error.message).toContain('2 values');
    expect(error.message).toContain('Infinity at 2026-01-01T01:00:00.000Z');
  });

  it('refuses duplicates', () => {
    const error = thrown(() => regularize(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T00:00:00Z', 2]])));
    expect(error.message).toContain('more than one point at 2026-01-01T00:00:00.000Z');
  });

  it('refuses timestamps off the grain grid', () => {
    const error = thrown(() => regularize(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T01:30:00Z', 2]])));
    expect(error.message).toContain('not on the hour grid');
  });

  it('refuses gaps by default and says how to fill them', () => {
    const error = thrown(() => regularize(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T03:00:00Z', 4]])));
    expect(error.message).toContain('2 missing hours');
    expect(error.message).toContain('the first is 2026-01-01T01:00:00.000Z');
    expect(error.hint).toContain("fill: 'zero'");
  });

  it('fills gaps with zeros and reports them', () => {
    const { series, filled } = regularize(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T03:00:00Z', 4]]), { fill: 'zero' });
    expect(series.points.map((p) => p.value)).toEqual([1, 0, 0, 4]);
    expect(filled.map((d) => d.toISOString())).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z']);
  });

  it('fills gaps on the straight line between neighbours and reports them', () => {
    const { series, filled } = regularize(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T03:00:00Z', 4], ['2026-01-01T04:00:00Z', 0]]), { fill: 'interpolate' });
    expect(series.points.map((p) => p.value)).toEqual([1, 2, 3, 4, 0]);
    expect(filled).toHaveLength(2);
  });

  it('steps months and quarters by calendar month', () => {
    const monthly: Series = { grain: 'month', points: ['2026-01-01', '2026-02-01', '2026-04-01'].map((d, i) => ({ timestamp: at(`${d}T00:00:00Z`), value: i })) };
    const { series, filled } = regularize(monthly, { fill: 'zero' });
    expect(series.points.map((p) => p.timestamp.toISOString().slice(0, 10))).toEqual(['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']);
    expect(filled.map((d) => d.toISOString().slice(0, 10))).toEqual(['2026-03-01']);
    const quarterly: Series = { grain: 'quarter', points: [{ timestamp: at('2026-01-01T00:00:00Z'), value: 1 }, { timestamp: at('2026-02-01T00:00:00Z'), value: 2 }] };
    expect(thrown(() => regularize(quarterly)).message).toContain('not on the quarter grid');
  });

  it('refuses an empty series, an unknown grain and an unknown fill', () => {
    expect(thrown(() => regularize({ grain: 'hour', points: [] })).message).toContain('no points');
    expect(thrown(() => regularize({ grain: 'fortnight' as never, points: [{ timestamp: at('2026-01-01T00:00:00Z'), value: 1 }] })).message).toContain('Unknown grain');
    expect(thrown(() => regularize(hourly([['2026-01-01T00:00:00Z', 1]]), { fill: 'none' as never })).message).toContain('Unknown gap fill');
  });

  it('refuses a grain far finer than the data instead of filling millions of points', () => {
    const sparse: Series = { grain: 'minute', points: [{ timestamp: at('2020-01-01T00:00:00Z'), value: 1 }, { timestamp: at('2026-01-01T00:00:00Z'), value: 1 }] };
    expect(thrown(() => regularize(sparse, { fill: 'zero' })).message).toContain('finer than the data');
  });

  it('makes the analysis routines refuse irregular input rather than fill it themselves', () => {
    expect(thrown(() => trend(hourly([['2026-01-01T00:00:00Z', 1], ['2026-01-01T01:00:00Z', 2], ['2026-01-01T05:00:00Z', 3]]))).message).toContain('missing hours');
  });
});
