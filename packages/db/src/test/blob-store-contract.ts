import type { BlobStore } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export type MakeBlobStore = () => Promise<{ blobs: BlobStore; close(): Promise<void> }>;

/** Every BlobStore: bytes in, the same bytes out, replaced, forgotten. */
export function blobStoreContract(name: string, makeBlobs: MakeBlobStore): void {
  describe(name, () => {
    let store: Awaited<ReturnType<MakeBlobStore>>;
    beforeEach(async () => {
      store = await makeBlobs();
    });
    afterEach(async () => {
      await store.close();
    });

    // Every byte value, a NUL first: nothing may be read as text on the way.
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
    const key = '0190f1a2-0000-7000-8000-000000000001';

    it('gives back exactly the bytes put under a key, and null for a key never put', async () => {
      await store.blobs.put(key, bytes);
      expect(Buffer.compare((await store.blobs.get(key)) ?? Buffer.alloc(0), bytes)).toBe(0);
      expect(await store.blobs.get(`${key}.thumb`)).toBeNull();
    });

    it('a second put replaces the bytes; an empty blob stays an empty blob', async () => {
      await store.blobs.put(key, bytes);
      await store.blobs.put(key, Buffer.from('second'));
      expect((await store.blobs.get(key))?.toString()).toBe('second');
      await store.blobs.put(`${key}.thumb`, Buffer.alloc(0));
      expect((await store.blobs.get(`${key}.thumb`))?.length).toBe(0);
    });

    it('forgets deleted keys, keeps the others; deleting a missing key is harmless', async () => {
      await store.blobs.put(key, bytes);
      await store.blobs.put(`${key}.thumb`, Buffer.from('small'));
      const other = '0190f1a2-0000-7000-8000-000000000002';
      await store.blobs.put(other, Buffer.from('stays'));
      await store.blobs.delete([key, `${key}.thumb`, 'never-put']);
      await store.blobs.delete([]);
      expect(await store.blobs.get(key)).toBeNull();
      expect(await store.blobs.get(`${key}.thumb`)).toBeNull();
      expect((await store.blobs.get(other))?.toString()).toBe('stays');
    });

    it('a megabyte round-trips whole', async () => {
      const big = Buffer.alloc(1024 * 1024, 0xab);
      await store.blobs.put(key, big);
      expect((await store.blobs.get(key))?.equals(big)).toBe(true);
    });
  });
}
