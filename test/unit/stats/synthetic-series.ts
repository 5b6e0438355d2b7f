/** Deterministic synthetic series for the statistics tests: seeded noise, hourly profiles, injected anomalies. */
import type { Grain, Point, Series } from '../../../src/analytics/stats/index.js';

/** mulberry32: a small seeded PRNG returning uniforms in [0, 1). */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller). */
export function normals(seed: number): () => number {
  const u = uniforms(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Poisson draws: Knuth's product method below λ = 30, a rounded normal approximation above. */
export function poisson(seed: number): (lambda: number) => number {
  const u = uniforms(seed);
  const z = normals(seed + 1);
  return (lambda) => {
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = u();
      while (p > limit) {
        k++;
        p *= u();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * z()));
  };
}

export const START = new Date('2026-01-05T00:00:00Z'); // a Monday

const STEP_MS: Record<'minute' | 'hour' | 'day' | 'week', number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

/** A regular series from values, starting at START (fixed-length grains only). */
export function seriesOf(values: readonly number[], grain: 'minute' | 'hour' | 'day' | 'week' = 'hour', start = START): Series {
  const points: Point[] = values.map((value, i) => ({ timestamp: new Date(start.getTime() + i * STEP_MS[grain]), value }));
  return { points, grain: grain as Grain };
}

/** Relative activity per UTC hour on weekdays and weekends (quiet nights, busy afternoons, later weekend mornings). */
const WEEKDAY = [0.35, 0.22, 0.15, 0.12, 0.13, 0.2, 0.45, 0.8, 1.05, 1.15, 1.2, 1.35, 1.6, 1.55, 1.25, 1.2, 1.25, 1.4, 1.6, 1.7, 1.55, 1.2, 0.85, 0.55];
const WEEKEND = [0.5, 0.35, 0.25, 0.17, 0.14, 0.15, 0.22, 0.38, 0.6, 0.85, 1.1, 1.3, 1.45, 1.5, 1.45, 1.4, 1.35, 1.35, 1.4, 1.45, 1.35, 1.1, 0.85, 0.65];

/** Expected hourly count at hour index i from START (a Monday) for a base rate per hour. */
export function hourlyIntensity(i: number, base: number): number {
  const day = Math.floor(i / 24) % 7; // 0 = Monday
  const profile = day >= 5 ? WEEKEND : WEEKDAY;
  return base * profile[i % 24]!;
}

/**
 * Hourly Poisson counts with a daily and weekly profile and injected one-hour anomalies at busy
 * hours (intensity ≥ 0.8 of the base), at least three hours apart: spikes multiply the
 * intensity by 2.5–3.5, drops by 0.2–0.4. Returns the series and the anomalous indices.
 */
export function seasonalCountsWithAnomalies(options: { days: number; base: number; spikes: number; drops: number; seed: number }): {
  values: number[];
  anomalies: Set<number>;
} {
  const n = options.days * 24;
  const u = uniforms(options.seed);
  const draw = poisson(options.seed + 17);
  const busy = Array.from({ length: n }, (_, i) => i).filter((i) => hourlyIntensity(i, 1) >= 0.8);
  const chosen: number[] = [];
  const factor = new Map<number, number>();
  while (chosen.length < options.spikes + options.drops) {
    const candidate = busy[Math.floor(u() * busy.length)]!;
    if (chosen.every((other) => Math.abs(other - candidate) >= 3)) {
      const spike = chosen.length < options.spikes;
      factor.set(candidate, spike ? 2.5 + u() : 0.2 + 0.2 * u());
      chosen.push(candidate);
    }
  }
  const values = Array.from({ length: n }, (_, i) => draw(hourlyIntensity(i, options.base) * (factor.get(i) ?? 1)));
  return { values, anomalies: new Set(chosen) };
}

/** Precision and recall of flagged indices against the true ones. */
export function precisionRecall(flagged: readonly boolean[], truth: ReadonlySet<number>): { precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  flagged.forEach((flag, i) => {
    if (flag && truth.has(i)) tp++;
    else if (flag) fp++;
  });
  return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp / truth.size };
}
