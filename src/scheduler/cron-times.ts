/**
 * Fire times of a cron expression in a time zone, computed with the `cron` package. A wall
 * time that a daylight-saving change skips (02:30 on the spring-forward night in Europe/Berlin)
 * fires at the next existing time (03:00); a wall time that happens twice fires once for a
 * daily job and twice for an hourly one, as `cron` decides.
 */
import { CronTime } from 'cron';

export interface CronSchedule {
  cron: string;
  timezone: string;
}

const cache = new Map<string, CronTime>();

function cronTime(schedule: CronSchedule): CronTime {
  const key = `${schedule.timezone}\u0000${schedule.cron}`;
  let time = cache.get(key);
  if (time === undefined) {
    time = new CronTime(schedule.cron, schedule.timezone);
    cache.set(key, time);
  }
  return time;
}

/** The first fire time strictly after `after` (ms since the epoch). */
export function nextFireTime(schedule: CronSchedule, after: number): number {
  return cronTime(schedule).getNextDateFrom(new Date(after), schedule.timezone).toMillis();
}

/** The next `count` fire times after `after`. */
export function nextFireTimes(schedule: CronSchedule, after: number, count: number): number[] {
  const times: number[] = [];
  let from = after;
  for (let index = 0; index < count; index++) {
    from = nextFireTime(schedule, from);
    times.push(from);
  }
  return times;
}

export interface FireTimesBetween {
  /** Fire times counted, at most `cap`. */
  count: number;
  first: number | undefined;
  /** The latest fire time ≤ `until` (exact even when the count was capped). */
  last: number | undefined;
  /** True when there were more than `cap` and counting stopped. */
  capped: boolean;
}

/** Fire times in (after, until]. Counting stops at `cap`; the last one is still found. */
export function fireTimesBetween(schedule: CronSchedule, after: number, until: number, cap = 10_000): FireTimesBetween {
  let count = 0;
  let first: number | undefined;
  let last: number | undefined;
  let from = after;
  for (;;) {
    const next = nextFireTime(schedule, from);
    if (next > until) return { count, first, last, capped: false };
    count++;
    first ??= next;
    last = next;
    from = next;
    if (count >= cap) break;
  }
  // Too many to count (a seconds job down for days): step back from `until` to find the last one.
  last = latestFireTimeAtOrBefore(schedule, last, until);
  return { count, first, last, capped: true };
}

function latestFireTimeAtOrBefore(schedule: CronSchedule, known: number, until: number): number {
  // Search windows that grow backwards from `until` until one holds a fire time.
  for (let window = 1_000; ; window *= 4) {
    const start = Math.max(known, until - window);
    let last: number | undefined;
    for (let next = nextFireTime(schedule, start - 1); next <= until; next = nextFireTime(schedule, next)) last = next;
    if (last !== undefined) return last;
    if (start === known) return known;
  }
}

/** A time written in a time zone with its offset, e.g. 2026-03-29T03:00:00+02:00 (Z for UTC). */
export function formatInZone(epochMs: number, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const wallClockAsUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMinutes = Math.round((wallClockAsUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
  const pad = (value: number) => String(Math.floor(value)).padStart(2, '0');
  const offset = offsetMinutes === 0 ? 'Z' : `${offsetMinutes > 0 ? '+' : '-'}${pad(Math.abs(offsetMinutes) / 60)}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}
