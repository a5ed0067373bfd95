import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target';

describe('parseRequestTarget', () => {
  it('a plain path is ok, the query dropped', () => {
    expect(parseRequestTarget('/c/general?x=1')).toEqual({ kind: 'ok', path: '/c/general' });
  });

  it('good escapes are ok and kept as sent', () => {
    expect(parseRequestTarget('/a%20b/%E2%9C%93')).toEqual({ kind: 'ok', path: '/a%20b/%E2%9C%93' });
  });

  it.each(['/%E0%A4%A', '/%', '/%ZZ', '/assets/%C0', '/%E0', '/ok/%4'])('%s is a bad escape', (url) => {
    expect(parseRequestTarget(url)).toEqual({ kind: 'bad-escape' });
  });

  it('a bad escape in the query alone is not judged (the query parser is lenient)', () => {
    expect(parseRequestTarget('/ws?token=%E0')).toEqual({ kind: 'ok', path: '/ws' });
  });

  it.each([undefined, '', '*', 'http://example.com/', 'x/y'])('%s is not a path', (url) => {
    expect(parseRequestTarget(url)).toEqual({ kind: 'not-a-path' });
  });
});
