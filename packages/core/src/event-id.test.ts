import { describe, expect, it } from 'vitest';
import { formatEventId, parseEventId, planResume } from './event-id';

describe('formatEventId / parseEventId', () => {
  it('round-trips an epoch and an offset', () => {
    const id = formatEventId('Ab3_-x9Z', 42);
    expect(id).toBe('Ab3_-x9Z:42');
    expect(parseEventId(id)).toEqual({ epoch: 'Ab3_-x9Z', offset: 42 });
  });

  it('round-trips offset 0 and large offsets', () => {
    expect(parseEventId(formatEventId('e', 0))).toEqual({ epoch: 'e', offset: 0 });
    expect(parseEventId(formatEventId('e', 999_999_999_999_999))).toEqual({ epoch: 'e', offset: 999_999_999_999_999 });
  });

  it('splits on the last colon, so an epoch may contain colons', () => {
    expect(parseEventId('a:b:7')).toEqual({ epoch: 'a:b', offset: 7 });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['empty string', ''],
    ['no colon', 'epoch42'],
    ['empty epoch', ':42'],
    ['empty offset', 'epoch:'],
    ['negative offset', 'epoch:-1'],
    ['fractional offset', 'epoch:1.5'],
    ['exponent', 'epoch:1e3'],
    ['hex', 'epoch:0x10'],
    ['letters', 'epoch:abc'],
    ['whitespace', 'epoch: 1'],
    ['trailing garbage', 'epoch:12a'],
    ['16 digits (beyond the safe range we accept)', 'epoch:1234567890123456'],
  ])('rejects a malformed id (%s)', (_label, id) => {
    expect(parseEventId(id)).toBeNull();
  });
});

describe('planResume', () => {
  const stream = { epoch: 'E1', head: 50, oldestRetained: 11 };

  it('goes live when the subscriber has no position', () => {
    expect(planResume(null, stream)).toEqual({ kind: 'live' });
    expect(planResume(undefined, stream)).toEqual({ kind: 'live' });
  });

  it('replays after the given offset within the retained window', () => {
    expect(planResume('E1:30', stream)).toEqual({ kind: 'replay', after: 30 });
  });

  it('replays nothing (but does not reset) when the subscriber is at the head', () => {
    expect(planResume('E1:50', stream)).toEqual({ kind: 'replay', after: 50 });
  });

  it('resets for an id from another epoch', () => {
    expect(planResume('E0:30', stream)).toEqual({ kind: 'reset' });
  });

  it('resets for an offset from the future', () => {
    expect(planResume('E1:51', stream)).toEqual({ kind: 'reset' });
  });

  it('resets for a malformed id (including an empty string)', () => {
    expect(planResume('garbage', stream)).toEqual({ kind: 'reset' });
    expect(planResume('', stream)).toEqual({ kind: 'reset' });
  });

  it('resets when events after the position are no longer retained', () => {
    expect(planResume('E1:0', stream)).toEqual({ kind: 'reset' });
    expect(planResume('E1:9', stream)).toEqual({ kind: 'reset' });
  });

  it('replays at the boundary where exactly the next offset is the oldest retained', () => {
    // Seen 10, oldest kept is 11: nothing is missing.
    expect(planResume('E1:10', stream)).toEqual({ kind: 'replay', after: 10 });
  });

  it('replays from 0 on a stream that has never been pruned', () => {
    expect(planResume('E1:0', { epoch: 'E1', head: 3, oldestRetained: 1 })).toEqual({ kind: 'replay', after: 0 });
  });

  it('replays on an empty stream when the subscriber saw offset 0', () => {
    expect(planResume('E1:0', { epoch: 'E1', head: 0, oldestRetained: 1 })).toEqual({ kind: 'replay', after: 0 });
    expect(planResume('E1:1', { epoch: 'E1', head: 0, oldestRetained: 1 })).toEqual({ kind: 'reset' });
  });
});
