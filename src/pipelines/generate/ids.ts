/**
 * Identifiers drawn from the PRNG: base32 (RFC 4648 alphabet, lower case) for ids, hex for trace
 * ids, built as flat strings from character codes because they are on the hot path.
 */
import type { Prng } from './prng.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Character codes of the base32 and hex alphabets: small tables that stay in the L1 cache. */
const B32 = Uint8Array.from(BASE32, (char) => char.charCodeAt(0));
const HEX = Uint8Array.from('0123456789abcdef', (char) => char.charCodeAt(0));

/**
 * Six base32 characters from the low 30 bits of a 32-bit value, in the order of the earlier
 * pair-table implementation (high half of each 10-bit group first), so ids stay as they were.
 */
function six(bits: number, out: number[], at: number): void {
  out[at] = B32[(bits >>> 5) & 31]!;
  out[at + 1] = B32[bits & 31]!;
  out[at + 2] = B32[(bits >>> 15) & 31]!;
  out[at + 3] = B32[(bits >>> 10) & 31]!;
  out[at + 4] = B32[(bits >>> 25) & 31]!;
  out[at + 5] = B32[(bits >>> 20) & 31]!;
}

const scratch: number[] = new Array<number>(36).fill(0);

/**
 * `prefix` followed by `chars` random base32 characters (5 bits each, at most 36). Twenty
 * characters (100 bits) make collisions negligible for any data set we generate.
 *
 * The common lengths are built with one fixed-arity String.fromCharCode call: a flat string,
 * cheaper to build and to copy into a line than a chain of concatenations.
 */
export function randomId(prng: Prng, prefix: string, chars: number): string {
  const c = scratch;
  for (let at = 0; at < chars; at += 6) six(prng.next(), c, at);
  switch (chars) {
    case 12:
      return prefix + String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!);
    case 16:
      return prefix + String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!,
        c[12]!, c[13]!, c[14]!, c[15]!);
    case 20:
      return prefix + String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!,
        c[12]!, c[13]!, c[14]!, c[15]!, c[16]!, c[17]!, c[18]!, c[19]!);
    default:
      return prefix + String.fromCharCode(...c.slice(0, chars));
  }
}

/** Eight hex characters of a 32-bit value, byte by byte from the low byte (as before). */
function eight(bits: number, out: number[], at: number): void {
  out[at] = HEX[(bits >>> 4) & 15]!;
  out[at + 1] = HEX[bits & 15]!;
  out[at + 2] = HEX[(bits >>> 12) & 15]!;
  out[at + 3] = HEX[(bits >>> 8) & 15]!;
  out[at + 4] = HEX[(bits >>> 20) & 15]!;
  out[at + 5] = HEX[(bits >>> 16) & 15]!;
  out[at + 6] = HEX[bits >>> 28]!;
  out[at + 7] = HEX[(bits >>> 24) & 15]!;
}

/** A W3C trace id: 32 lower-case hex characters. */
export function traceId(prng: Prng): string {
  const c = scratch;
  eight(prng.next(), c, 0);
  eight(prng.next(), c, 8);
  eight(prng.next(), c, 16);
  eight(prng.next(), c, 24);
  return String.fromCharCode(
    c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!, c[13]!, c[14]!, c[15]!,
    c[16]!, c[17]!, c[18]!, c[19]!, c[20]!, c[21]!, c[22]!, c[23]!, c[24]!, c[25]!, c[26]!, c[27]!, c[28]!, c[29]!, c[30]!, c[31]!,
  );
}
