import { describe, expect, it } from 'vitest';
import { Engine, sizeInBytes } from '../../../src/duckdb/engine.js';

describe('engine memory limit', () => {
  it('reads sizes as DuckDB does: KB is 1000 bytes, KiB 1024', () => {
    expect(sizeInBytes('512MB')).toBe(512e6);
    expect(sizeInBytes('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(sizeInBytes('768kib')).toBe(768 * 1024);
    expect(sizeInBytes('4096')).toBe(4096);
    expect(sizeInBytes('lots')).toBeUndefined();
    expect(sizeInBytes('12 parsecs')).toBeUndefined();
  });

  it('raises a smaller limit for the work, then restores the configured one, also when the work fails', async () => {
    const engine = await Engine.open({ threads: 1, memoryLimit: '300MB' });
    const limit = async () => (await engine.rows<{ limit: string }>(`SELECT current_setting('memory_limit') AS "limit"`))[0]?.limit;
    try {
      const configured = await limit();
      const during = await engine.withMemoryAtLeast(768 * 1024 ** 2, limit);
      expect(during).toBe('768.0 MiB');
      expect(await limit()).toBe(configured);
      await expect(engine.withMemoryAtLeast(768 * 1024 ** 2, () => engine.run('SELECT no_such_function()'))).rejects.toThrow(/no_such_function/);
      expect(await limit()).toBe(configured);
      // A limit already large enough is left alone.
      expect(await engine.withMemoryAtLeast(100 * 1024 ** 2, limit)).toBe(configured);
    } finally {
      engine.close();
    }
  });

  it('keeps the largest floor any session asks for, and restores the configured limit when the last one is done', async () => {
    const engine = await Engine.open({ threads: 1, memoryLimit: '300MB' });
    const session = await engine.session();
    const limit = async () => (await engine.rows<{ limit: string }>(`SELECT current_setting('memory_limit') AS "limit"`))[0]?.limit;
    try {
      const configured = await limit();
      let releaseSmaller!: () => void;
      const smallerHeld = new Promise<void>((resolve) => { releaseSmaller = resolve; });
      // The session holds 640 MiB while the engine asks for 768 MiB and is done first.
      const smaller = session.withMemoryAtLeast(640 * 1024 ** 2, () => smallerHeld);
      expect(await engine.withMemoryAtLeast(768 * 1024 ** 2, limit)).toBe('768.0 MiB');
      expect(await limit()).toBe('640.0 MiB');
      releaseSmaller();
      await smaller;
      expect(await limit()).toBe(configured);
    } finally {
      session.close();
      engine.close();
    }
  });
});
