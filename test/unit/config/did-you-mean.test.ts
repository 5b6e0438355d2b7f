import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../../src/config/did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('tumbling', 'tumbling')).toBe(0);
    expect(editDistance('tumbeling', 'tumbling')).toBe(1);
    expect(editDistance('retension', 'retention')).toBe(1);
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('closestMatch', () => {
  const kinds = ['tumbling', 'hopping', 'session'];

  it('suggests a near miss, ignoring case', () => {
    expect(closestMatch('tumbeling', kinds)).toBe('tumbling');
    expect(closestMatch('Hopping', kinds)).toBe('hopping');
  });

  it('suggests nothing for a different word', () => {
    expect(closestMatch('sliding', kinds)).toBeUndefined();
    expect(closestMatch('ab', ['cd'])).toBeUndefined();
  });
});
