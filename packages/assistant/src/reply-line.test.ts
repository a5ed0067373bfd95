import { describe, expect, it } from 'vitest';
import { type InLine, ReplyLine } from './reply-line';

interface Entry extends InLine {
  name: string;
}
const entry = (name: string): Entry => ({ name, started: false, wake: null, storedPosition: null, stop: null });

/** A line whose stored places are recorded, each store finishing only when the test lets it. */
function recordedLine(maxConcurrent: number, maxQueue = 10) {
  const stored: [string, number | null][] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const line = new ReplyLine<Entry>({
    maxConcurrent,
    maxQueue,
    storePosition: async (reply, position) => {
      if (holding) await new Promise<void>((resolve) => held.push(resolve));
      stored.push([reply.name, position]);
    },
  });
  /** Joins and shows (the message exists with the place it had at once). */
  const enter = (e: Entry) => {
    expect(line.join(e)).toBe(true);
    e.storedPosition = line.position(e);
    line.show(e);
    return e;
  };
  return {
    line,
    stored,
    enter,
    hold: () => {
      holding = true;
    },
    releaseAll: () => {
      holding = false;
      for (const r of held.splice(0)) r();
    },
  };
}

describe('ReplyLine', () => {
  it('stores each waiting reply’s new place as the line moves', async () => {
    const { line, stored, enter } = recordedLine(1);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => enter(entry(n))) as [Entry, Entry, Entry, Entry];
    expect([a.started, b.storedPosition, c.storedPosition, d.storedPosition]).toEqual([true, 1, 2, 3]);
    await line.settled();
    expect(stored).toEqual([]);

    line.leave(a);
    expect(b.started).toBe(true);
    await line.settled();
    expect(stored).toEqual([
      ['b', null],
      ['c', 1],
      ['d', 2],
    ]);
    expect([b.storedPosition, c.storedPosition, d.storedPosition]).toEqual([null, 1, 2]);
  });

  it('a turn comes only once the stored place is gone', async () => {
    const { line, stored, enter, hold, releaseAll } = recordedLine(1);
    const a = enter(entry('a'));
    const b = enter(entry('b'));
    hold();
    let turn = false;
    const waiting = line.waitForTurn(b, new AbortController().signal).then(() => {
      turn = true;
    });
    line.leave(a);
    // b holds the slot, but its place is still stored: no streaming yet.
    await Promise.resolve();
    expect(b.started).toBe(true);
    expect(turn).toBe(false);
    releaseAll();
    await waiting;
    expect(stored).toEqual([['b', null]]);
  });

  it('a reply stopped while waiting leaves the line; its final update lands after the pass in flight', async () => {
    const { line, stored, enter, hold, releaseAll } = recordedLine(1);
    const a = enter(entry('a'));
    const b = enter(entry('b'));
    const c = enter(entry('c'));
    const stop = new AbortController();
    const turn = line.waitForTurn(c, stop.signal);
    hold();
    // A pass starts (b gets the slot) and is held mid-way...
    line.leave(a);
    await Promise.resolve();
    // ...when c is stopped: it leaves the line at once, and its final update waits for that pass.
    c.stop = 'cancelled';
    stop.abort(new Error('cancelled'));
    await expect(turn).rejects.toThrow('cancelled');
    expect(line.waiting).toBe(0);
    const order: string[] = [];
    const final = line.finalUpdate(c, async () => {
      order.push(`final c after ${JSON.stringify(stored)}`);
    });
    releaseAll();
    await final;
    await line.settled();
    expect(b.storedPosition).toBeNull();
    expect(c.storedPosition).toBeNull();
    // The pass (begun before the stop) moved c up; c's final update, which clears the place, came after it.
    const pass = [
      ['b', null],
      ['c', 1],
    ];
    expect(stored).toEqual(pass);
    expect(order).toEqual([`final c after ${JSON.stringify(pass)}`]);
  });

  it('refuses to join a full line; drain empties it without starting anyone', () => {
    const { line, enter } = recordedLine(1, 1);
    const a = enter(entry('a'));
    const b = enter(entry('b'));
    expect(line.join(entry('c'))).toBe(false);
    expect(line.drain()).toEqual([b]);
    line.leave(a);
    expect([line.running, line.waiting, b.started]).toEqual([0, 0, false]);
  });
});
