import { describe, expect, it } from 'vitest';
import { type Delta, DeltaCoalescer, type Timers } from './coalescer';

/** Timers driven by hand: a clock you move and a list of scheduled callbacks you fire. */
function manualTimers(start = 1_000) {
  let now = start;
  let nextId = 1;
  const scheduled = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      scheduled.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      scheduled.delete(handle as number);
    },
    now: () => now,
  };
  return {
    timers,
    get pending() {
      return scheduled.size;
    },
    /** Moves the clock forward, firing every callback that falls due, in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...scheduled.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        scheduled.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = until;
    },
  };
}

function setup(intervalMs = 30) {
  const clock = manualTimers();
  const deltas: Delta[] = [];
  const coalescer = new DeltaCoalescer(intervalMs, (d) => deltas.push(d), clock.timers);
  return { clock, deltas, coalescer };
}

const applyAll = (deltas: Delta[]) => deltas.reduce((content, d) => content.slice(0, d.index) + d.text, '');

describe('DeltaCoalescer', () => {
  it('emits the first chunk at once, without a timer', () => {
    const { clock, deltas, coalescer } = setup();
    coalescer.push('Hello');
    expect(deltas).toEqual([{ index: 0, text: 'Hello' }]);
    expect(clock.pending).toBe(0);
    expect(coalescer.emitted).toBe(5);
  });

  it('merges chunks that arrive within the interval into one delta', () => {
    const { clock, deltas, coalescer } = setup(30);
    coalescer.push('a');
    clock.advance(5);
    coalescer.push('b');
    clock.advance(5);
    coalescer.push('c');
    coalescer.push('d');
    expect(deltas).toEqual([{ index: 0, text: 'a' }]);
    expect(clock.pending).toBe(1);
    clock.advance(19);
    expect(deltas).toHaveLength(1);
    clock.advance(1); // 30 ms after the first emit
    expect(deltas).toEqual([
      { index: 0, text: 'a' },
      { index: 1, text: 'bcd' },
    ]);
    expect(clock.pending).toBe(0);
  });

  it('emits at once again after a quiet spell longer than the interval', () => {
    const { clock, deltas, coalescer } = setup(30);
    coalescer.push('one ');
    clock.advance(100);
    coalescer.push('two');
    expect(deltas).toEqual([
      { index: 0, text: 'one ' },
      { index: 4, text: 'two' },
    ]);
  });

  it('sets index to the characters emitted before each delta, so the deltas rebuild the text', () => {
    const { clock, deltas, coalescer } = setup(30);
    const chunks = ['The ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog. ', 'Ünïcødé ✓'];
    const steps = [0, 3, 40, 1, 1, 29, 31, 0, 12, 50];
    chunks.forEach((chunk, i) => {
      clock.advance(steps[i] ?? 0);
      coalescer.push(chunk);
    });
    coalescer.flush();
    const input = chunks.join('');
    let sent = 0;
    for (const d of deltas) {
      expect(d.index).toBe(sent);
      expect(d.text.length).toBeGreaterThan(0);
      sent += d.text.length;
    }
    expect(deltas.map((d) => d.text).join('')).toBe(input);
    expect(applyAll(deltas)).toBe(input);
    expect(coalescer.emitted).toBe(input.length);
    expect(deltas.length).toBeLessThan(chunks.length);
  });

  it('flush() emits pending text immediately and cancels the timer', () => {
    const { clock, deltas, coalescer } = setup(30);
    coalescer.push('a');
    clock.advance(1);
    coalescer.push('b');
    coalescer.push('c');
    expect(clock.pending).toBe(1);
    coalescer.flush();
    expect(deltas).toEqual([
      { index: 0, text: 'a' },
      { index: 1, text: 'bc' },
    ]);
    expect(clock.pending).toBe(0);
    clock.advance(1_000);
    expect(deltas).toHaveLength(2);
  });

  it('flush() with nothing pending emits nothing', () => {
    const { deltas, coalescer } = setup();
    coalescer.flush();
    coalescer.push('x');
    coalescer.flush();
    coalescer.flush();
    expect(deltas).toEqual([{ index: 0, text: 'x' }]);
  });

  it('turns a burst of 1000 one-character chunks within 90 ms into at most 4 deltas', () => {
    const { clock, deltas, coalescer } = setup(30);
    let input = '';
    for (let i = 0; i < 1000; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      input += ch;
      coalescer.push(ch);
      if (i % 12 === 11) clock.advance(1); // ~83 ms of fake time over the burst
    }
    clock.advance(90 - 83);
    coalescer.flush();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.length).toBeLessThanOrEqual(4);
    expect(applyAll(deltas)).toBe(input);
  });

  it('emits nothing for empty chunks and schedules no timer', () => {
    const { clock, deltas, coalescer } = setup();
    coalescer.push('');
    expect(deltas).toEqual([]);
    expect(clock.pending).toBe(0);
    coalescer.push('a');
    clock.advance(1);
    coalescer.push('');
    expect(clock.pending).toBe(0);
    clock.advance(100);
    coalescer.flush();
    expect(deltas).toEqual([{ index: 0, text: 'a' }]);
  });
});
