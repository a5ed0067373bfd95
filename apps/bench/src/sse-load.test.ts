import { describe, expect, it } from 'vitest';
import { stampsIn } from './protocols';
import { wholeLines } from './sse-load';

const bytes = (text: string) => Buffer.from(text, 'latin1');
const text = (b: Buffer | null) => b?.toString('latin1') ?? null;

describe('reading a Server-Sent Events stream cheaply', () => {
  it('finds every publisher stamp in one read, in order, and none in events without one', () => {
    const read = bytes(
      'event: connected\ndata: {}\n\n' +
        'data: {"type":"message.created","message":{"content":"ts=1234.5 hello"}}\nid: c:2\n\n\n' +
        'data: {"type":"presence","online":[]}\nid: c:3\n\n\n' +
        'data: {"type":"message.created","message":{"content":"ts=1240 world"}}\nid: c:4\n\n\n',
    );
    expect(stampsIn(read)).toEqual([1234.5, 1240]);
    expect(stampsIn(bytes('data: {"type":"presence"}\nid: c:1\n\n\n'))).toEqual([]);
  });

  it('reads whole lines and keeps an unfinished one for the next read, copying nothing in the usual case', () => {
    const whole = bytes('data: {"content":"ts=17 x"}\n');
    const usual = wholeLines(null, whole);
    expect(usual.lines).toBe(whole);
    expect(usual.rest).toBeNull();

    // A read that ends mid-stamp: the stamp is read once its line is whole, never as a shorter number.
    const first = wholeLines(null, bytes('id: c:1\n\n\ndata: {"content":"ts=17'));
    expect(text(first.lines)).toBe('id: c:1\n\n\n');
    expect(text(first.rest)).toBe('data: {"content":"ts=17');
    const second = wholeLines(first.rest, bytes('25.5 x"}\nid: c:2\n'));
    expect(stampsIn(second.lines as Buffer)).toEqual([1725.5]);
    expect(second.rest).toBeNull();

    const noLineEnd = wholeLines(null, bytes('data: {"con'));
    expect(noLineEnd.lines).toBeNull();
    expect(text(noLineEnd.rest)).toBe('data: {"con');
  });
});
