/**
 * Identifiers drawn from the PRNG: base32 (RFC 4648 alphabet, lower case) for ids, hex for trace
 * ids. Built from lookup tables of character pairs so an id costs a few string joins.
 */
import type { Prng } from './prng.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** All 1,024 two-character base32 strings, indexed by a 10-bit value. */
const PAIRS: readonly string[] = Array.from({ length: 1024 }, (_, value) => BASE32[value >> 5]! + BASE32[value & 31]!);

/** All 256 two-character hex strings, indexed by a byte. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, value) => value.toString(16).padStart(2, '0'));

/**
 * `prefix` followed by `chars` random base32 characters (even, at most 30: 150 bits).
 * Twenty characters (100 bits) make collisions negligible for any data set we generate.
 */
export function randomId(prng: Prng, prefix: string, chars: number): string {
  let out = prefix;
  let remaining = chars >> 1;
  while (remaining > 0) {
    const bits = prng.next();
    out += PAIRS[bits & 1023]!;
    if (--remaining === 0) break;
    out += PAIRS[(bits >>> 10) & 1023]!;
    if (--remaining === 0) break;
    out += PAIRS[(bits >>> 20) & 1023]!;
    --remaining;
  }
  return out;
}

/** A W3C trace id: 32 lower-case hex characters. */
export function traceId(prng: Prng): string {
  let out = '';
  for (let i = 0; i < 4; i++) {
    const bits = prng.next();
    out += HEX[bits & 255]! + HEX[(bits >>> 8) & 255]! + HEX[(bits >>> 16) & 255]! + HEX[bits >>> 24]!;
  }
  return out;
}

/** `count` random hex characters (a multiple of 2). */
export function randomHex(prng: Prng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 2) out += HEX[prng.next() & 255]!;
  return out;
}
