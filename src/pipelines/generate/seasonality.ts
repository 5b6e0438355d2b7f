/**
 * When events happen: a diurnal and weekly profile (UTC), and a timeline that places exactly N
 * event times in [start, end) following an intensity function, in ascending order and in constant
 * memory.
 */
import type { Prng } from './prng.js';

/** Relative activity by UTC hour on weekdays: quiet at night, peaks at lunch and in the evening. */
const WEEKDAY: readonly number[] = [
  0.35, 0.22, 0.15, 0.12, 0.13, 0.2, 0.45, 0.8, 1.05, 1.15, 1.2, 1.35,
  1.6, 1.55, 1.25, 1.2, 1.25, 1.4, 1.6, 1.7, 1.55, 1.2, 0.85, 0.55,
];

/** Weekends start later, have a broad afternoon plateau and stay up later. */
const WEEKEND: readonly number[] = [
  0.5, 0.35, 0.25, 0.17, 0.14, 0.15, 0.22, 0.38, 0.6, 0.85, 1.1, 1.3,
  1.45, 1.5, 1.45, 1.4, 1.35, 1.35, 1.4, 1.45, 1.35, 1.1, 0.85, 0.65,
];

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function hourWeight(hourIndex: number): number {
  // 1970-01-01 was a Thursday: day 0 → weekday 4 (Sunday = 0).
  const day = Math.floor(hourIndex / 24);
  const weekday = (((day + 4) % 7) + 7) % 7;
  const profile = weekday === 0 || weekday === 6 ? WEEKEND : WEEKDAY;
  return profile[((hourIndex % 24) + 24) % 24]!;
}

/** Relative activity at an instant, interpolated linearly between hourly values. */
export function seasonalWeight(ms: number): number {
  const hours = ms / HOUR_MS;
  const hourIndex = Math.floor(hours);
  const fraction = hours - hourIndex;
  // Values sit at the middle of each hour, so interpolate between neighbours around it.
  if (fraction < 0.5) return hourWeight(hourIndex - 1) * (0.5 - fraction) + hourWeight(hourIndex) * (0.5 + fraction);
  return hourWeight(hourIndex) * (1.5 - fraction) + hourWeight(hourIndex + 1) * (fraction - 0.5);
}

/**
 * Exactly `count` ascending integer times (epoch ms) in [start, end), distributed like a Poisson
 * process with the given intensity, conditioned on its count.
 *
 * The times are order statistics of `count` draws from the intensity's density, produced one at
 * a time: sorted uniforms by the sequential method (Bentley & Saxe), mapped through the inverse
 * cumulative intensity while walking forward over buckets, so memory stays constant.
 */
export class Timeline {
  private readonly bucketMs: number;
  private readonly total: number;
  private remainingShare = 1;
  private produced = 0;
  private bucketStart: number;
  private bucketEnd: number;
  private bucketMass: number;
  private massBefore = 0;

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly count: number,
    private readonly intensity: (ms: number) => number,
  ) {
    // Minute buckets keep hour-aligned anomaly windows sharp; hours for very long ranges.
    this.bucketMs = end - start <= 400 * DAY_MS ? 60_000 : HOUR_MS;
    let total = 0;
    for (let at = start; at < end; ) {
      const next = this.boundaryAfter(at);
      total += this.massOf(at, next);
      at = next;
    }
    this.total = total;
    this.bucketStart = start;
    this.bucketEnd = this.boundaryAfter(start);
    this.bucketMass = this.massOf(this.bucketStart, this.bucketEnd);
  }

  /** The next time; call at most `count` times. */
  next(prng: Prng): number {
    const left = this.count - this.produced;
    if (left <= 0) throw new Error('Timeline exhausted');
    this.remainingShare *= Math.pow(prng.openFloat(), 1 / left);
    this.produced++;
    const target = (1 - this.remainingShare) * this.total;
    while (this.massBefore + this.bucketMass < target && this.bucketEnd < this.end) {
      this.massBefore += this.bucketMass;
      this.bucketStart = this.bucketEnd;
      this.bucketEnd = this.boundaryAfter(this.bucketStart);
      this.bucketMass = this.massOf(this.bucketStart, this.bucketEnd);
    }
    const within = this.bucketMass > 0 ? Math.min(1, Math.max(0, (target - this.massBefore) / this.bucketMass)) : 0;
    const at = Math.floor(this.bucketStart + within * (this.bucketEnd - this.bucketStart));
    return Math.min(at, this.end - 1);
  }

  private boundaryAfter(ms: number): number {
    return Math.min(this.end, (Math.floor(ms / this.bucketMs) + 1) * this.bucketMs);
  }

  private massOf(from: number, to: number): number {
    return this.intensity((from + to) / 2) * (to - from);
  }
}
