import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from '@hubbub/core';

/** Keys are ids the server made (an attachment id, `<id>.thumb`): never a user's file name, never a path. */
const SAFE_KEY = /^[A-Za-z0-9-]{1,64}(\.[a-z]{1,16})?$/;

function fileFor(dir: string, key: string): string {
  if (!SAFE_KEY.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key.slice(0, 80))}`);
  return join(dir, key);
}

/**
 * Blobs as files in one directory (SQLite mode: the data directory's `files/`).
 * A write goes to a temporary file first and is renamed into place, so a
 * reader never sees half a file, even after a crash.
 */
export function createDirBlobStore(dir: string): BlobStore {
  let ready: Promise<unknown> | null = null;
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true });
    return ready;
  };
  return {
    async put(key, data) {
      const target = fileFor(dir, key);
      await ensureDir();
      const temp = join(dir, `.${randomUUID()}.tmp`);
      try {
        await writeFile(temp, data, { flag: 'wx' });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(key) {
      try {
        return await readFile(fileFor(dir, key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async delete(keys) {
      await Promise.all(keys.map((key) => rm(fileFor(dir, key), { force: true })));
    },
  };
}
