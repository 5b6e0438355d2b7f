/** Plausible public IPv4 and IPv6 addresses and device ids for synthetic customers and attackers. */
import { randomId } from './ids.js';
import type { Prng } from './prng.js';

/** First octets that are not private, loopback, multicast, CGNAT-only or reserved. */
const PUBLIC_FIRST_OCTETS: readonly number[] = Array.from({ length: 223 }, (_, index) => index + 1).filter(
  (octet) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(octet),
);

/** Global unicast prefixes from big providers' ranges (first two groups). */
const IPV6_PREFIXES: readonly string[] = ['2a02:8108', '2a01:e0a', '2600:1700', '2601:646', '2a00:23c5', '2409:8a55', '2804:14c', '2001:4860'];

/** A public-looking IPv4 address. */
export function ipv4(prng: Prng): string {
  const bits = prng.next();
  return `${prng.pick(PUBLIC_FIRST_OCTETS)}.${bits & 255}.${(bits >>> 8) & 255}.${1 + ((bits >>> 16) % 254)}`;
}

/** A full (uncompressed) global unicast IPv6 address. */
export function ipv6(prng: Prng): string {
  let out = prng.pick(IPV6_PREFIXES);
  for (let group = 0; group < 6; group++) out += ':' + (prng.next() & 0xffff).toString(16);
  return out;
}

/** An IPv4 address most of the time, IPv6 with the given probability. */
export function ipAddress(prng: Prng, ipv6Share = 0.15): string {
  return prng.chance(ipv6Share) ? ipv6(prng) : ipv4(prng);
}

/** A device id, e.g. `dev_k3x9…`. */
export function deviceId(prng: Prng): string {
  return randomId(prng, 'dev_', 16);
}
