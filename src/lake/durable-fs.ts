/** File operations that survive a crash: data reaches the disk before anything points at it. */
import { promises as fs } from 'node:fs';
import path from 'node:path';

let tempCounter = 0;

/**
 * A temp file name beside `target`, unique within this process too: two writes of one target in
 * the same millisecond (two dashboard widgets caching one metric) must not share a temp file.
 */
function tempNameFor(target: string): string {
  return `${target}.${process.pid}.${Date.now()}.${++tempCounter}.tmp`;
}

export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `content` to `target` only if `target` does not exist yet: temp file, fsync, then a
 * hard link (atomic and exclusive), then fsync of the folder. Returns false if `target` existed.
 */
export async function createExclusive(target: string, content: string): Promise<boolean> {
  const temp = tempNameFor(target);
  await fs.writeFile(temp, content);
  await fsyncFile(temp);
  try {
    await fs.link(temp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
  await fsyncDir(path.dirname(target));
  return true;
}

/**
 * Atomically replaces `target` with `content` (temp file, fsync, rename, fsync folder); content
 * given as chunks is written one chunk at a time.
 */
export async function replaceAtomically(target: string, content: string | Iterable<string>): Promise<void> {
  const temp = tempNameFor(target);
  await fs.writeFile(temp, content);
  await fsyncFile(temp);
  await fs.rename(temp, target);
  await fsyncDir(path.dirname(target));
}
