import { describe, expect, it } from 'vitest';
import { interpolate, resolvePlainScalar } from '../../../src/config/interpolate.js';

const env = (values: Record<string, string>) => (name: string) => values[name];

describe('interpolate', () => {
  it('replaces references and remembers which values came from the environment', () => {
    const result = interpolate('postgres://${USER}:${PASS}@${HOST:-localhost}/db', env({ USER: 'app', PASS: 's3cret' }));
    expect(result).toEqual({
      value: 'postgres://app:s3cret@localhost/db',
      interpolated: true,
      missing: [],
      malformed: [],
      secrets: [
        { name: 'USER', value: 'app' },
        { name: 'PASS', value: 's3cret' },
      ],
    });
  });

  it('leaves text without references alone, unescaping $${', () => {
    expect(interpolate('plain $HOME and $${X}', env({}))).toMatchObject({ value: 'plain $HOME and ${X}', interpolated: false });
  });

  it('treats a set-but-empty variable as a value, except that :- replaces it', () => {
    expect(interpolate('[${E}]', env({ E: '' }))).toMatchObject({ value: '[]', missing: [] });
    expect(interpolate('[${E:-d}]', env({ E: '' }))).toMatchObject({ value: '[d]' });
  });

  it('lists missing and malformed references', () => {
    const result = interpolate('${A} ${1X} ${B', env({}));
    expect(result.missing).toEqual(['A']);
    expect(result.malformed).toEqual(['${1X}', '${B']);
  });
});

describe('resolvePlainScalar', () => {
  it('types values as the YAML core schema would', () => {
    expect(resolvePlainScalar('8080')).toBe(8080);
    expect(resolvePlainScalar('-1.5e3')).toBe(-1500);
    expect(resolvePlainScalar('0x1F')).toBe(31);
    expect(resolvePlainScalar('true')).toBe(true);
    expect(resolvePlainScalar('null')).toBeNull();
    expect(resolvePlainScalar('')).toBe('');
    expect(resolvePlainScalar('a: b')).toBe('a: b');
    expect(resolvePlainScalar('[1, 2]')).toBe('[1, 2]');
  });
});
