/** A piece of a snippet: plain text, marked when it is part of a match. */
export interface SnippetPart {
  text: string;
  mark: boolean;
}

/**
 * Cuts a search snippet into plain and marked parts by its [start, end) highlight ranges (UTF-16
 * offsets). Ranges out of bounds are clipped, overlapping ones merged, empty ones dropped: whatever
 * the server sends, the text comes out whole and in order, as text (never as HTML).
 */
export function snippetParts(snippet: string, highlights: readonly (readonly [number, number])[]): SnippetPart[] {
  const ranges = highlights
    .map(([start, end]) => [Math.max(0, start), Math.min(snippet.length, end)] as const)
    .filter(([start, end]) => start < end)
    .sort((a, b) => a[0] - b[0]);
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) parts.push({ text: snippet.slice(at, from), mark: false });
    const previous = parts.at(-1);
    // Overlapping or touching ranges are one mark.
    if (previous?.mark && from === at) previous.text += snippet.slice(from, end);
    else parts.push({ text: snippet.slice(from, end), mark: true });
    at = end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), mark: false });
  return parts;
}
