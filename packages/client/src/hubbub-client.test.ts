import { describe, expect, it } from 'vitest';
import { reconnectDelays, SHORT_OUTAGE_CAP_MS, SHORT_OUTAGE_MS } from './hubbub-client';

describe('reconnectDelays', () => {
  it('spreads the first retry too: a crowd dropped at once does not come back at once', () => {
    const delays = [0, 0.5, 0.999].map((r) =>
      reconnectDelays(
        () => 0,
        () => r,
      )(0),
    );
    expect(delays).toEqual([0, 250, 500]);
  });

  it('keeps every delay under the short cap during the first minute of an outage', () => {
    let clock = 0;
    const delay = reconnectDelays(
      () => clock,
      () => 0.999,
    );
    for (let attempt = 0; attempt < 20; attempt++) {
      expect(delay(attempt)).toBeLessThanOrEqual(SHORT_OUTAGE_CAP_MS);
      clock += 2_000;
    }
  });

  it('backs off to 15 s once the outage is older than a minute', () => {
    let clock = 0;
    const delay = reconnectDelays(
      () => clock,
      () => 0.999,
    );
    delay(0);
    clock = SHORT_OUTAGE_MS;
    expect(delay(10)).toBe(14_985);
  });

  it('starts over with the short cap at the next outage', () => {
    let clock = 0;
    const delay = reconnectDelays(
      () => clock,
      () => 0.999,
    );
    delay(0);
    clock = 10 * SHORT_OUTAGE_MS;
    expect(delay(0)).toBe(500);
    expect(delay(10)).toBe(2_997);
  });
});
