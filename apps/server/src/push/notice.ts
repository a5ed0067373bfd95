import type { Channel, Message, Notice } from '@hubbub/core';

/** Push services accept 4 KB of encrypted payload; a notice stays well under it whatever its text. */
export const MAX_PAYLOAD_BYTES = 3072;
const MAX_TITLE = 100;
const MAX_BODY = 200;

/** At most `max` characters (code points, so no emoji is cut in half), whitespace runs folded. */
function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** What a new message says on a lock screen: who, where, the start of the text; a click opens its channel. */
export function messageNotice(channel: Channel, message: Message): Notice {
  const who = message.author?.displayName ?? (message.role === 'assistant' ? 'Assistant' : 'Hubbub');
  return {
    title: channel.kind === 'dm' ? who : `${who} in #${channel.slug}`,
    body: message.content,
    url: `/#/c/${encodeURIComponent(channel.slug)}`,
    tag: `channel:${channel.id}`,
  };
}

/** The payload the service worker reads: `{ title, body, url, tag }` as JSON, clipped to fit MAX_PAYLOAD_BYTES. */
export function encodeNotice(notice: Notice): string {
  let body = clip(notice.body, MAX_BODY);
  for (;;) {
    const payload = JSON.stringify({
      title: clip(notice.title, MAX_TITLE),
      body,
      url: notice.url.slice(0, 512),
      tag: notice.tag.slice(0, 128),
    });
    if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES || body === '') return payload;
    body = clip(body, Math.floor([...body].length / 2));
  }
}
