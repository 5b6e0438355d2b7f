/**
 * RFC 3339 timestamps with millisecond precision and an explicit offset. Most events say `Z`,
 * some `+00:00`, and some the same instant in another offset (`+01:00`, `-05:00`, `+05:30`…),
 * as services in different regions would write it. The text of each minute is cached per offset
 * because event times arrive in order.
 */
import { WeightedChoice } from './alias-table.js';
import type { Prng } from './prng.js';

/** An offset (minutes east of UTC and its RFC 3339 suffix) with the text of its current minute. */
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

const SECONDS: readonly string[] = Array.from({ length: 60 }, (_, second) => String(second).padStart(2, '0'));
const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => '.' + String(ms).padStart(3, '0'));

/** Per offset: the minute last formatted and its `YYYY-MM-DDTHH:MM:` text. */
interface MinuteCache {
  offset: Offset;
  minute: number;
  prefix: string;
}

/** Formats instants as RFC 3339 strings in a randomly chosen offset. */
export class TimestampFormatter {
  private readonly caches: MinuteCache[] = OFFSETS.map(([offset]) => ({ offset, minute: Number.NaN, prefix: '' }));
  private readonly choice = new WeightedChoice(this.caches, OFFSETS.map(([, weight]) => weight));

  /** `ms` (epoch milliseconds) in UTC with a `Z` suffix, e.g. `2026-11-25T17:00:00.123Z`. */
  utc(ms: number): string {
    return format(ms, this.caches[0]!);
  }

  /** `ms` in an offset drawn from the mix above. */
  random(ms: number, prng: Prng): string {
    return format(ms, this.choice.sample(prng));
  }
}

function format(ms: number, cache: MinuteCache): string {
  const local = ms + cache.offset.minutes * 60_000;
  const minute = Math.floor(local / 60_000);
  if (cache.minute !== minute) {
    cache.minute = minute;
    cache.prefix = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const inMinute = local - minute * 60_000;
  const second = Math.floor(inMinute / 1000);
  return cache.prefix + SECONDS[second]! + MILLIS[inMinute - second * 1000]! + cache.offset.suffix;
}

/** The same instant written without an offset (a malformed timestamp). */
export function withoutOffset(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23);
}
