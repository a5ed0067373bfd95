import { describe, expect, it } from 'vitest';
import { asSentence, errorMessageWithRetryTime, retryAfterMs } from './errors';

const throttled = (ms: number) => ({
  message: 'too many failed sign-ins for this handle: try again in 15 min',
  data: { code: 'TOO_MANY_REQUESTS', retryAfterMs: ms },
});

describe('asSentence', () => {
  it('capitalizes and ends with a full stop, once', () => {
    expect(asSentence('you logged out')).toBe('You logged out.');
    expect(asSentence('Every session of this account was ended.')).toBe('Every session of this account was ended.');
    expect(asSentence('  ')).toBe('');
  });
});

describe('retryAfterMs', () => {
  it('reads the server’s wait, and nothing else', () => {
    expect(retryAfterMs(throttled(900_000))).toBe(900_000);
    expect(retryAfterMs({ data: { code: 'TOO_MANY_REQUESTS' } })).toBeNull();
    expect(retryAfterMs({ data: { retryAfterMs: 'soon' } })).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});

describe('errorMessageWithRetryTime', () => {
  const now = new Date(2024, 0, 1, 14, 0).getTime();

  it('adds the clock time to retry when it is a minute or more away', () => {
    const message = errorMessageWithRetryTime(throttled(15 * 60_000), now);
    expect(message).toMatch(/^Too many failed sign-ins for this handle: try again in 15 min \(at .*15.*\)$/);
  });

  it('says nothing more for short waits and for other errors', () => {
    expect(errorMessageWithRetryTime(throttled(20_000), now)).toBe(
      'Too many failed sign-ins for this handle: try again in 15 min',
    );
    expect(
      errorMessageWithRetryTime({ message: 'wrong handle or password', data: { code: 'UNAUTHORIZED' } }, now),
    ).toBe('Wrong handle or password');
  });
});
