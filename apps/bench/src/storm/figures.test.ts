import { describe, expect, it } from 'vitest';
import { ClientLedger, LatencyWindows, publishIndexIn, secondsUntilUnder } from './figures';

describe('storm figures', () => {
  it('a ledger counts a message received twice as a duplicate and knows what it lacks', () => {
    const ledger = new ClientLedger(5);
    expect(ledger.receive(1)).toBe(true);
    expect(ledger.receive(1)).toBe(false);
    expect(ledger.receive(3)).toBe(true);
    expect(ledger.duplicates).toBe(1);
    expect(ledger.missing([0, 1, 2, 3])).toBe(2);
  });

  it('latencies fall into the 1 s window of their arrival', () => {
    const windows = new LatencyWindows();
    windows.add(100, 10);
    windows.add(2500, 300);
    expect(windows.p99s(3)).toEqual([10, Number.NaN, 300]);
  });

  it('live is back from the first window after which every window stays under the limit', () => {
    expect(secondsUntilUnder([900, 150, 250, 120, 90], 200)).toBe(4);
    expect(secondsUntilUnder([150, Number.NaN, 100], 200)).toBe(3);
    expect(secondsUntilUnder([100, 300], 200)).toBeNull();
  });

  it('reads the publish index and stamp of a storm message', () => {
    expect(publishIndexIn('storm n=42 ts=1234.5')).toEqual({ n: 42, ts: 1234.5 });
    expect(publishIndexIn('hello')).toBeNull();
  });
});
