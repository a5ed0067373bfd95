import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../http/downloads';
import { uploadName } from '../http/uploads';
import { isInlineImage, sniffContentType } from './sniff';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('sniffContentType: the bytes decide, never the name', () => {
  it('names binary formats by their signature', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(await sniffContentType(png)).toBe('image/png');
    expect(await sniffContentType(bytes('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('application/pdf');
  });

  it('calls markup what a browser would run, wherever the tag is in the first 8 KB', async () => {
    expect(await sniffContentType(bytes('<!DOCTYPE html><p>hi'))).toBe('text/html');
    expect(await sniffContentType(bytes(`${'notes\n'.repeat(100)}<script>alert(1)</script>`))).toBe('text/html');
    expect(await sniffContentType(bytes('  <svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBe('image/svg+xml');
    expect(await sniffContentType(bytes('<?xml version="1.0"?>\n<svg></svg>'))).toBe('image/svg+xml');
    expect(await sniffContentType(bytes('<?xml version="1.0"?><feed/>'))).toBe('application/xml');
  });

  it('plain UTF-8 text is text/plain (a character cut at 8 KB too); anything else is opaque', async () => {
    expect(await sniffContentType(bytes('Agenda: ship on Friday ☀'))).toBe('text/plain');
    expect(await sniffContentType(bytes(`${'a'.repeat(8191)}é`))).toBe('text/plain');
    expect(await sniffContentType(new Uint8Array([0x41, 0x00, 0x42]))).toBe('application/octet-stream');
    expect(await sniffContentType(new Uint8Array([0xff, 0xfe, 0xfd, 0x41]))).toBe('application/octet-stream');
  });

  it('shows inline only raster images that carry no script', () => {
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/webp'].every(isInlineImage)).toBe(true);
    expect(['image/svg+xml', 'text/html', 'application/pdf', 'image/tiff'].some(isInlineImage)).toBe(false);
  });
});

describe('uploadName', () => {
  it('keeps the last path segment, decoded, without control or direction characters, cut to 200', () => {
    expect(uploadName(encodeURIComponent('../../etc/passwd'))).toBe('passwd');
    expect(uploadName(encodeURIComponent('C:\\Users\\ada\\photo ☀.png'))).toBe('photo ☀.png');
    expect(uploadName(encodeURIComponent('evil\u202Egnp.exe'))).toBe('evilgnp.exe');
    expect(uploadName(encodeURIComponent('a\r\nb'))).toBe('ab');
    expect(uploadName('100%')).toBe('100%');
    expect(uploadName(undefined)).toBe('file');
    expect(uploadName(encodeURIComponent('/'))).toBe('file');
    expect([...uploadName('x'.repeat(500))]).toHaveLength(200);
  });
});

describe('contentDisposition', () => {
  it('gives old agents an ASCII name and everyone else the real one (RFC 8187), quotes never closing early', () => {
    expect(contentDisposition('attachment', 'a "b".txt')).toBe(
      `attachment; filename="a _b_.txt"; filename*=UTF-8''a%20%22b%22.txt`,
    );
    expect(contentDisposition('inline', "l'été (1).png")).toBe(
      `inline; filename="l'_t_ (1).png"; filename*=UTF-8''l%27%C3%A9t%C3%A9%20%281%29.png`,
    );
  });
});
