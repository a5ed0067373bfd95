import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDirBlobStore } from './blob-store-dir';
import { blobStoreContract } from './test/blob-store-contract';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hubbub-blobs-'));
}

blobStoreContract('BlobStore contract (data directory)', async () => {
  const dir = tempDir();
  // A directory not there yet: the store makes it on the first write.
  return { blobs: createDirBlobStore(join(dir, 'files')), close: async () => rmSync(dir, { recursive: true }) };
});

describe('the data directory BlobStore', () => {
  it('refuses keys that are not ids (a path, a user file name) before touching the disk', async () => {
    const dir = tempDir();
    const blobs = createDirBlobStore(dir);
    for (const key of ['../escape', 'a/b', 'cat picture.png', '', '.hidden', 'x'.repeat(65)]) {
      await expect(blobs.put(key, Buffer.from('x'))).rejects.toThrow(/not a blob key/);
      await expect(blobs.get(key)).rejects.toThrow(/not a blob key/);
    }
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
  });

  it('leaves no temporary file behind: each blob is one file named by its key', async () => {
    const dir = tempDir();
    const blobs = createDirBlobStore(dir);
    await Promise.all([blobs.put('a1', Buffer.from('1')), blobs.put('a1.thumb', Buffer.from('2'))]);
    expect(readdirSync(dir).sort()).toEqual(['a1', 'a1.thumb']);
    rmSync(dir, { recursive: true });
  });
});
