/**
 * V8's heap growth while a large batch runs through the stream jobs.
 *
 * A batch larger than one slice (a whole file, event-slices.ts) allocates every slice's events
 * and results anew, while the jobs' live state stays at 100-200 MB. V8 lets the heap grow to up to
 * four times the live size between full collections, so a million events of four types peaked at
 * 1.18 GB of RSS. A fixed growth factor of 2 (`--heap-growing-percent=100`, read by V8 whenever it
 * sets the next limit) kept the same run at 850-870 MB for 5% more time; smaller batches (a Kafka
 * batch, the stream bench's files) keep V8's own factor, which is faster there
 * (docs/performance.md).
 */
import v8 from 'node:v8';

/** Batches in progress that asked for the tighter growth (nested or overlapping callers). */
let holders = 0;

/** Caps V8's heap growth factor at 2 until the returned function is called. */
export function tightenHeapGrowth(): () => void {
  if (holders++ === 0) v8.setFlagsFromString('--heap-growing-percent=100');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // 0 is V8's default: its own factor, from 1.1 to 4 by the heap's size and the collector's speed.
    if (--holders === 0) v8.setFlagsFromString('--heap-growing-percent=0');
  };
}
