import type { BusEvent } from '@hubbub/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OffsetOrder } from './offset-order';
import { changeEvent, typingSignal } from './test/bus-contract';

/** The offsets (or 'signal') handed on, in order. */
function recorder(windowMs = 100) {
  const seen: (number | string)[] = [];
  const order = new OffsetOrder((event: BusEvent) => {
    seen.push(event.kind === 'change' ? `${event.event.channelId}@${event.event.offset}` : event.kind);
  }, windowMs);
  return { seen, order };
}

describe('OffsetOrder', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands on events that come in order at once, the first one setting the position', () => {
    const { seen, order } = recorder();
    for (const offset of [7, 8, 9]) order.push(changeEvent('c', offset));
    expect(seen).toEqual(['c@7', 'c@8', 'c@9']);
  });

  it('holds an event that overtook another until the other arrives, then hands both on in order', () => {
    const { seen, order } = recorder();
    order.push(changeEvent('c', 1));
    order.push(changeEvent('c', 3));
    order.push(changeEvent('c', 4));
    expect(seen).toEqual(['c@1']);
    order.push(changeEvent('c', 2));
    expect(seen).toEqual(['c@1', 'c@2', 'c@3', 'c@4']);
  });

  it('lets signals and old or repeated offsets through while something is held (the streams drop repeats)', () => {
    const { seen, order } = recorder();
    order.push(changeEvent('c', 5));
    order.push(changeEvent('c', 7));
    order.push(typingSignal('c', 'ann'));
    order.push(changeEvent('c', 5));
    expect(seen).toEqual(['c@5', 'signal', 'c@5']);
  });

  it('keeps the streams of one topic apart: a gap in one holds nothing of another', () => {
    const { seen, order } = recorder();
    order.push(changeEvent('a', 1));
    order.push(changeEvent('b', 1));
    order.push(changeEvent('a', 3));
    order.push(changeEvent('b', 2));
    expect(seen).toEqual(['a@1', 'b@1', 'b@2']);
  });

  it('hands the held events on in order once the window runs out (the missing one was lost: the streams read it)', () => {
    vi.useFakeTimers();
    const { seen, order } = recorder(200);
    order.push(changeEvent('c', 1));
    order.push(changeEvent('c', 4));
    order.push(changeEvent('c', 3));
    vi.advanceTimersByTime(199);
    expect(seen).toEqual(['c@1']);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['c@1', 'c@3', 'c@4']);
    // The lost offset 2 turning up late is handed on (and dropped by the streams, which read it already).
    order.push(changeEvent('c', 2));
    order.push(changeEvent('c', 5));
    expect(seen).toEqual(['c@1', 'c@3', 'c@4', 'c@2', 'c@5']);
  });

  it('after forget() (a reconnect) expects nothing: what was held goes on, and the next event sets the position', () => {
    const { seen, order } = recorder();
    order.push(changeEvent('c', 1));
    order.push(changeEvent('c', 3));
    order.forget();
    expect(seen).toEqual(['c@1', 'c@3']);
    order.push(changeEvent('c', 9));
    expect(seen).toEqual(['c@1', 'c@3', 'c@9']);
  });

  it('with a window of 0 hands everything on as it comes', () => {
    const { seen, order } = recorder(0);
    for (const offset of [1, 3, 2]) order.push(changeEvent('c', offset));
    expect(seen).toEqual(['c@1', 'c@3', 'c@2']);
  });
});
