import { describe, expect, it } from 'vitest';
import { faviconUrl } from './favicon';

const svgOf = (url: string) => decodeURIComponent(url.replace('data:image/svg+xml,', ''));

describe('faviconUrl', () => {
  it('is the plain mark with nothing unread, and carries the count otherwise (9+ past nine)', () => {
    expect(svgOf(faviconUrl(0))).not.toContain('<circle');
    expect(svgOf(faviconUrl(3))).toContain('>3</text>');
    expect(svgOf(faviconUrl(42))).toContain('>9+</text>');
    expect(faviconUrl(1).startsWith('data:image/svg+xml,')).toBe(true);
  });
});
