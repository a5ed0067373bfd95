import type { ReactNode } from 'react';

/**
 * The little markdown chat needs (links, `code`, **bold**, _italic_), turned
 * into React elements, never HTML, so nothing a message says can inject markup.
 */
const TOKEN =
  /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|`([^`\n]+)`|\*\*([^*\n]+)\*\*|(?<![\w*])[_*]([^_*\n]+)[_*](?![\w*])/g;

export function formatMessage(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const [whole, url, code, bold, italic] = match;
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const key = out.length;
    if (url) {
      out.push(
        <a key={key} href={url} target="_blank" rel="noopener noreferrer">
          {url}
        </a>,
      );
    } else if (code) out.push(<code key={key}>{code}</code>);
    else if (bold) out.push(<strong key={key}>{bold}</strong>);
    else if (italic) out.push(<em key={key}>{italic}</em>);
    else out.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function MessageText({ text }: { text: string }) {
  return <>{formatMessage(text)}</>;
}
