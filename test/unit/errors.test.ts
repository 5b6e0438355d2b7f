import { describe, expect, it } from 'vitest';
import { diskFullOr, UserError } from '../../src/errors.js';

describe('diskFullOr', () => {
  it('names a full disk, with the fix', () => {
    const error = diskFullOr(new Error('IO Error: Could not write file "x": No space left on device'), 'tx.ndjson');
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('DISK_FULL');
    expect((error as UserError).message).toMatch(/^tx\.ndjson: the disk ran out of space/);
  });

  it('names DuckDB running out of its memory limit, not the input, and says which setting to raise', () => {
    const error = diskFullOr(new Error('Out of Memory Error: failed to pin block of size 256.0 KiB (488.3 MiB/488.2 MiB used)\n\nPossible solutions: …'), 'tx.ndjson');
    expect((error as UserError).code).toBe('OUT_OF_MEMORY');
    expect((error as UserError).message).toBe('tx.ndjson: DuckDB ran out of its memory limit (Out of Memory Error: failed to pin block of size 256.0 KiB (488.3 MiB/488.2 MiB used)).');
    expect((error as UserError).hint).toMatch(/engine\.memory_limit/);
  });

  it('passes other errors through', () => {
    const original = new Error('Binder Error: column x not found');
    expect(diskFullOr(original, 'tx.ndjson')).toBe(original);
  });
});
