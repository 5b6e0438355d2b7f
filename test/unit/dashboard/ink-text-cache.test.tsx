/**
 * Ink's text-measure cache (ink/build/measure-text.js) is found with the installed Ink, grows
 * with every distinct text Ink lays out, and is trimmed to the newest entries.
 */
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { findInkTextCache } from '../../../src/dashboard/ui/ink-text-cache.js';

describe("Ink's text-measure cache", () => {
  it('is found, grows with each distinct text laid out, and trims to the newest', async () => {
    const cache = await findInkTextCache();
    expect(cache).toBeDefined();
    const before = cache!.size;
    for (let n = 0; n < 50; n++) render(<Text>{`distinct line ${n} ${Date.now()}`}</Text>).unmount();
    expect(cache!.size).toBeGreaterThanOrEqual(before + 50);
    cache!.trim(10);
    expect(cache!.size).toBe(10);
    cache!.trim(0);
    expect(cache!.size).toBe(0);
    // Ink still measures (and caches again) after a trim.
    const { lastFrame } = render(<Text>after the trim</Text>);
    expect(lastFrame()).toBe('after the trim');
    expect(cache!.size).toBeGreaterThan(0);
  });
});
