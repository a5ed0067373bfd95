import { fileTypeFromBuffer } from 'file-type';

/** Images a browser may show inline from our origin: raster formats that cannot carry script. */
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export const isInlineImage = (contentType: string): boolean => INLINE_IMAGES.has(contentType);

/** Markup a browser would run as a page (HTML, SVG, XML): named so, and never served inline. */
const MARKUP: [RegExp, string][] = [
  [/^\s*<svg[\s>]/i, 'image/svg+xml'],
  [/^\s*<\?xml[\s\S]{0,512}<svg[\s>]/i, 'image/svg+xml'],
  [/^\s*<\?xml/i, 'application/xml'],
  [/<(!doctype\s+html|html|head|body|script|iframe|object|embed|meta|style|a\s|img\s|svg)[\s>/]/i, 'text/html'],
];

/** How much of a text file decides whether it is markup (browsers sniff the first 512 bytes; we look further). */
const TEXT_PREFIX = 8192;

/**
 * The content type, from the bytes alone (the uploader's name and header are
 * not believed): binary formats by their signature (file-type), text by
 * whether it decodes as UTF-8 and looks like markup; anything else is opaque.
 */
export async function sniffContentType(bytes: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  // XML is text: an SVG inside is told apart below.
  if (found && found.mime !== 'application/xml') return found.mime;
  const head = bytes.subarray(0, TEXT_PREFIX);
  if (head.includes(0)) return 'application/octet-stream';
  let text: string;
  try {
    // A multi-byte character cut at the prefix's end is not a reason to call the file binary.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return 'application/octet-stream';
  }
  for (const [pattern, type] of MARKUP) if (pattern.test(text)) return type;
  return 'text/plain';
}
