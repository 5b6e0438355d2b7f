/**
 * RFC 3339 timestamps with millisecond precision and an explicit offset. Most events say `Z`,
 * some `+00:00`, and some the same instant in another offset (`+01:00`, `-05:00`, `+05:30`…),
 * as services in different regions would write it. The formatting of each whole second is cached
 * per offset because event times arrive in order.
 */
import { WeightedChoice } from './alias-table.js';
import type { Prng } from './prng.js';

/** An offset: minutes east of UTC and its RFC 3339 suffix. */
interface Offset {
  minutes: number;
  suffix: string;
}

const OFFSETS: readonly (readonly [Offset, number])[] = [
  [{ minutes: 0, suffix: 'Z' }, 70],
  [{ minutes: 0, suffix: '+00:00' }, 10],
  [{ minutes: 60, suffix: '+01:00' }, 7],
  [{ minutes: 120, suffix: '+02:00' }, 3],
  [{ minutes: -300, suffix: '-05:00' }, 4],
  [{ minutes: -480, suffix: '-08:00' }, 2],
  [{ minutes: 330, suffix: '+05:30' }, 2],
  [{ minutes: 540, suffix: '+09:00' }, 2],
];

const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => '.' + String(ms).padStart(3, '0'));

/** Formats instants as RFC 3339 strings in a randomly chosen offset. */
export class TimestampFormatter {
  private readonly offsets = WeightedChoice.of(OFFSETS);
  private readonly cache = new Map<Offset, { second: number; text: string }>();

  /** `ms` (epoch milliseconds) in UTC with a `Z` suffix, e.g. `2026-11-25T17:00:00.123Z`. */
  utc(ms: number): string {
    return this.format(ms, OFFSETS[0]![0]);
  }

  /** `ms` in an offset drawn from the mix above. */
  random(ms: number, prng: Prng): string {
    return this.format(ms, this.offsets.sample(prng));
  }

  private format(ms: number, offset: Offset): string {
    const local = ms + offset.minutes * 60_000;
    const second = Math.floor(local / 1000);
    let entry = this.cache.get(offset);
    if (entry === undefined) {
      entry = { second: Number.NaN, text: '' };
      this.cache.set(offset, entry);
    }
    if (entry.second !== second) {
      entry.second = second;
      entry.text = new Date(second * 1000).toISOString().slice(0, 19);
    }
    return entry.text + MILLIS[local - second * 1000]! + offset.suffix;
  }
}

/** The same instant written without an offset (a malformed timestamp). */
export function withoutOffset(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}
