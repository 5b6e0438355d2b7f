/** The result rows' time format: exactly Date#toISOString, for every time. */
import { describe, expect, it } from 'vitest';
import { iso } from '../../../src/streams/operator.js';

describe('iso', () => {
  it('formats like toISOString: random times of years 1970–9999, hour and day edges, and times it leaves to Date', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const times = Array.from({ length: 20_000 }, () => Math.floor(random() * 253_402_300_799_999));
    // Times in the same hour one after another (the cached hour), and across its edges.
    for (let ms = 1_764_028_799_000; ms < 1_764_028_801_500; ms += 7) times.push(ms);
    times.push(0, 1, 999, 1_000, 59_999, 3_599_999, 3_600_000, 86_399_999, 253_402_300_799_999, -1, -86_400_001, 1.5, 253_402_300_800_000);
    for (const ms of times) expect([ms, iso(ms)]).toEqual([ms, new Date(ms).toISOString()]);
  });
});
