import { describe, expect, it } from 'vitest';
import { listItems, type Row } from './list-items';
import type { Message } from './types';

let seq = 0;
function row(authorId: string, createdAt: string, role: Message['role'] = 'user'): Row {
  seq++;
  const message = { id: `m${seq}`, seq, authorId, createdAt, role, content: `m${seq}` } as Message;
  return { kind: 'message', key: message.id, message };
}

describe('listItems', () => {
  it('puts the top line first, a day divider where the day changes, and groups one author close together', () => {
    const rows = [
      row('ada', '2026-01-01T10:00:00'),
      row('ada', '2026-01-01T10:01:00'),
      row('bob', '2026-01-01T10:02:00'),
      row('bob', '2026-01-01T10:30:00'),
      row('bob', '2026-01-02T10:30:30'),
    ];
    const items = listItems(rows, { myId: 'ada', firstUnread: null, detached: false });
    expect(items.map((i) => (i.kind === 'row' ? `${i.row.key}${i.compact ? ' compact' : ''}` : i.kind))).toEqual([
      'top',
      'day',
      `${rows[0]?.key}`,
      `${rows[1]?.key} compact`,
      `${rows[2]?.key}`,
      `${rows[3]?.key}`,
      'day',
      `${rows[4]?.key}`,
    ]);
  });

  it('puts "New messages" right above the first unread, and the newer line last in a window', () => {
    const rows = [row('ada', '2026-01-01T10:00:00'), row('bob', '2026-01-01T10:00:10')];
    const items = listItems(rows, { myId: 'ada', firstUnread: rows[1]?.key ?? null, detached: true });
    expect(items.map((i) => i.kind)).toEqual(['top', 'day', 'row', 'unread', 'row', 'bottom']);
  });

  it('never groups an assistant reply under the message above', () => {
    const rows = [row('ada', '2026-01-01T10:00:00'), row('ada', '2026-01-01T10:00:05', 'assistant')];
    const items = listItems(rows, { myId: 'ada', firstUnread: null, detached: false });
    expect(items.filter((i) => i.kind === 'row').map((i) => i.kind === 'row' && i.compact)).toEqual([false, false]);
  });

  it('keeps keys stable and unique', () => {
    const rows = [row('ada', '2026-01-01T10:00:00'), row('bob', '2026-01-01T10:00:10')];
    const keys = listItems(rows, { myId: 'ada', firstUnread: rows[1]?.key ?? null, detached: true }).map((i) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
