import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCheckpointer } from './checkpointer';
import { openSqlite, type SqliteHandle } from './open';

describe('WAL checkpoints off the event loop', () => {
  let dir: string;
  let handle: SqliteHandle;
  const file = () => join(dir, 'hubbub.db');
  const size = (path: string) => statSync(path).size;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hubbub-wal-'));
    handle = openSqlite(file());
  });
  afterEach(() => {
    handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** About 4 MB of committed rows, one transaction each, as a busy server writes them. */
  const writeRows = (prefix: string) => {
    const insert = handle.raw.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    const value = 'x'.repeat(2000);
    for (let i = 0; i < 2000; i++) insert.run(`${prefix}-${i}`, value);
  };

  const waitFor = (condition: () => boolean) =>
    vi.waitFor(() => expect(condition()).toBe(true), { timeout: 15_000, interval: 50 }).then(() => true);

  it('the writer never checkpoints; the worker copies the WAL into the database file', async () => {
    expect(handle.raw.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = size(file());
    writeRows('a');
    // Had the writer checkpointed (every 1,000 pages by default), the rows would be in the file by now.
    expect(size(file())).toBeLessThan(before + 1_000_000);
    expect(await waitFor(() => size(file()) > before + 4_000_000)).toBe(true);
  }, 20_000);

  /** The worker has caught up when the database file stops growing for longer than its interval. */
  const checkpointed = async () => {
    let last = -1;
    let stableSince = Date.now();
    return waitFor(() => {
      const now = size(file());
      if (now !== last) [last, stableSince] = [now, Date.now()];
      return now > 4_000_000 && Date.now() - stableSince > 600;
    });
  };

  it('keeps the WAL from growing: once checkpointed, it is written from the start again', async () => {
    writeRows('a');
    const walAfterFirst = size(`${file()}-wal`);
    expect(await checkpointed()).toBe(true);
    writeRows('b');
    // Without checkpoints the WAL would hold both batches (about twice the size).
    expect(size(`${file()}-wal`)).toBeLessThan(walAfterFirst * 1.5);
    expect(handle.raw.prepare('SELECT count(*) AS n FROM meta').get()).toEqual({ n: 4001 });
  }, 20_000);

  it('keeps the WAL bounded under writes that never pause (the writer finishes each pass of the worker)', async () => {
    const insert = handle.raw.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    const batch = handle.raw.transaction((start: number) => {
      for (let i = start; i < start + 20; i++) insert.run(`steady-${i}`, 'x'.repeat(2000));
    });
    // About 40 KB per batch, a batch every 2 ms for 4 s (a write rate, as a busy server's: the worker checkpoints
    // on its own interval, its first pass up to a second after the writes began): tens of MB through the WAL.
    let written = 0;
    let largestWal = 0;
    for (const end = Date.now() + 4000; Date.now() < end; ) {
      batch(written);
      written += 20;
      largestWal = Math.max(largestWal, size(`${file()}-wal`));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const bytesWritten = written * 2000;
    expect(bytesWritten).toBeGreaterThan(10_000_000);
    // Without the hand-off the worker never catches up and the WAL holds everything written.
    expect(largestWal).toBeLessThan(bytesWritten / 2);
  }, 20_000);

  it('passes once a second under a trickle of writes, four times a second while the WAL fills fast', async () => {
    const own = new Database(join(dir, 'paced.db'));
    own.pragma('journal_mode = WAL');
    own.pragma('wal_autocheckpoint = 0');
    own.exec('CREATE TABLE rows (value TEXT)');
    const insert = own.prepare('INSERT INTO rows (value) VALUES (?)');
    const passes: number[] = [];
    const checkpointer = startCheckpointer(join(dir, 'paced.db'), {
      finishPass: () => {
        passes.push(Date.now());
        own.pragma('wal_checkpoint(PASSIVE)');
      },
    });
    const writeFor = async (ms: number, rowsPerWrite: number) => {
      const write = own.transaction(() => {
        for (let i = 0; i < rowsPerWrite; i++) insert.run('x'.repeat(2000));
      });
      for (const end = Date.now() + ms; Date.now() < end; ) {
        write();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // A page every 20 ms (50 a second, as 50 messages a second write a few hundred): far under 1,000 a second.
      await writeFor(3_000, 1);
      const trickle = passes.length;
      expect(trickle).toBeGreaterThanOrEqual(2);
      expect(trickle).toBeLessThanOrEqual(4);
      // 50 pages every 20 ms: over 2,000 a second.
      await writeFor(2_000, 100);
      expect(passes.length - trickle).toBeGreaterThanOrEqual(4);
    } finally {
      checkpointer.close();
      own.close();
    }
  }, 20_000);

  it('close() returns once the worker is done with the files: the directory can go right away', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const dirs: string[] = [];
      for (let i = 0; i < 20; i++) {
        const own = mkdtempSync(join(tmpdir(), 'hubbub-wal-close-'));
        dirs.push(own);
        const opened = openSqlite(join(own, 'hubbub.db'));
        opened.raw.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
        opened.close();
        // Throws ENOTEMPTY if the worker still creates or deletes files in it.
        rmSync(own, { recursive: true });
      }
      // close() returned after the worker's connection closed: nothing of it is left to recreate a file or
      // complain about a missing directory.
      expect(dirs.filter((d) => existsSync(d))).toEqual([]);
      expect(warnings.filter((w) => w.includes('checkpoint'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  }, 20_000);
});
