import { describe, expect, it } from 'vitest';
import { drawWorldMap, isLand, shadeOf, worldMapText } from '../../../src/dashboard/map/world-map.js';

describe('world map', () => {
  it('knows land from sea at a few well-known places', () => {
    expect(isLand(48.9, 2.3)).toBe(true); // Paris
    expect(isLand(-23.5, -46.6)).toBe(true); // São Paulo
    expect(isLand(40, -40)).toBe(false); // mid-Atlantic
    expect(isLand(0, -140)).toBe(false); // Pacific
  });

  it('draws the continents in braille and shades countries by quartile', () => {
    const lines = worldMapText({ width: 90, height: 22, values: new Map([['US', 100], ['FR', 50], ['BR', 30], ['IN', 10]]) });
    if (process.env.SHOW_MAP) console.log(lines.join('\n'));
    expect(lines).toHaveLength(22);
    expect(lines.every((line) => [...line].length === 90)).toBe(true);
    const text = lines.join('\n');
    expect(text).toMatch(/[\u2801-\u28ff]/); // land outline
    expect(text).toContain('█'); // the largest value (US)
    expect(text).toContain('░'); // the smallest (IN)
    const cells = drawWorldMap({ width: 90, height: 22, values: new Map([['US', 100]]) }).flat();
    expect(cells.filter((cell) => cell.country === 'US' && cell.shade === 4).length).toBeGreaterThan(5);
  });

  it('marks a selected country and plots points by coordinates', () => {
    const cells = drawWorldMap({ width: 60, height: 16, selected: 'JP', points: [{ lat: 51.5, lon: -0.1 }] }).flat();
    expect(cells.some((cell) => cell.selected && cell.country === 'JP')).toBe(true);
    expect(cells.filter((cell) => cell.point)).toHaveLength(1);
  });

  it('buckets values into four shades', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(shadeOf(1, sorted)).toBe(1);
    expect(shadeOf(8, sorted)).toBe(4);
    expect(shadeOf(undefined, sorted)).toBe(0);
  });
});
