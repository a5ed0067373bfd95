import { MarkdownText } from './markdown';
import { MessageBoundary } from './message-boundary';

interface MessageTextProps {
  text: string;
  /** A reply still being written: a blinking caret follows the last word. */
  streaming?: boolean;
  /** Set for an edited message: the tooltip of the "(edited)" mark after the text. */
  editedTitle?: string | null;
}

/**
 * A message's text, rendered as Markdown for people and the assistant alike.
 * Plain text looks as typed (line breaks kept); nothing a message says can
 * inject markup: raw HTML stays text and only http(s)/mailto links are links.
 *
 * The renderer is imported statically on purpose: loaded lazily, messages would
 * first show their raw Markdown and then change under the reader's eyes.
 * Whatever a message contains, at worst a block of it shows as plain text (see
 * markdown-plan.ts), and if formatting still throws, the whole message does:
 * never a blank page.
 */
export function MessageText({ text, streaming = false, editedTitle = null }: MessageTextProps) {
  return (
    <MessageBoundary text={text}>
      <MarkdownText text={text} caret={streaming} editedTitle={editedTitle} />
    </MessageBoundary>
  );
}
