import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { flattenMessages } from './cache-updates';
import { ChatLive, historyKey } from './chat-live';
import { createOutbox } from './outbox';
import { OutboxSender } from './outbox-sender';
import { memoryStorage } from './test-storage';
import type { HistoryData, Message } from './types';

const ME = 'u-me';
const CH = 'general';

/** message.send as the server does it: one stored message per clientId, a repeat answered with it. */
function fakeServer() {
  const stored = new Map<string, Message>();
  const calls: string[] = [];
  const attached: string[][] = [];
  let state: 'up' | 'down' | 'hang' | { refuse: string } = 'up';
  let release: (() => void) | null = null;
  return {
    stored,
    calls,
    /** The attachment ids each call carried. */
    attached,
    set(next: typeof state) {
      state = next;
    },
    /** Lets a hanging call through. */
    release: () => release?.(),
    async send(input: {
      channelId: string;
      content: string;
      clientId: string;
      attachmentIds?: string[];
    }): Promise<Message> {
      calls.push(input.clientId);
      attached.push(input.attachmentIds ?? []);
      if (state === 'hang') await new Promise<void>((resolve) => (release = resolve));
      if (state === 'down') throw new TypeError('Failed to fetch');
      if (typeof state === 'object') throw { message: 'No.', data: { code: state.refuse } };
      const existing = stored.get(input.clientId);
      if (existing) return existing;
      const message: Message = {
        id: `m${stored.size + 1}`,
        seq: stored.size + 1,
        channelId: input.channelId,
        authorId: ME,
        author: { handle: 'me', displayName: 'Me' },
        role: 'user',
        status: 'complete',
        content: input.content,
        clientId: input.clientId,
        meta: null,
        createdAt: new Date(2026, 0, 1).toISOString(),
        editedAt: null,
      };
      stored.set(input.clientId, message);
      return message;
    },
  };
}

type Server = ReturnType<typeof fakeServer>;

/** One page: its own ChatLive and sender over the browser's (shared) storage. */
function openPage(storage: ReturnType<typeof memoryStorage>, server: Server) {
  const queryClient = new QueryClient();
  const live = new ChatLive(queryClient, { channelList: ['list'], members: (id) => ['members', id] });
  live.setMe(ME);
  queryClient.setQueryData<HistoryData>(historyKey(CH), {
    pages: [{ items: [], nextCursor: null, eventId: 'e:0' }],
    pageParams: [null],
  });
  let ids = 0;
  const sender = new OutboxSender({
    outbox: createOutbox(storage, ME),
    live,
    send: (input) => server.send(input),
    newClientId: () => `client-${Math.random().toString(36).slice(2)}-${++ids}`,
    // A macrotask, not a microtask: a retry loop must let the test's waitFor run.
    wait: () => new Promise((resolve) => setTimeout(resolve, 0)),
  });
  const pending = () => (live.pending.get()[CH] ?? []).map((m) => `${m.content} (${m.status})`);
  const history = () => flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(CH))).map((m) => m.content);
  const stored = () => createOutbox(storage, ME).all();
  return { live, sender, pending, history, stored };
}

describe('the outbox sender', () => {
  it('shows a message as sending, keeps it until the server confirms it, then shows the stored one', async () => {
    const server = fakeServer();
    server.set('hang');
    const page = openPage(memoryStorage(), server);
    page.sender.setConnected(true);
    page.sender.send(CH, 'hello');
    expect(page.pending()).toEqual(['hello (sending)']);
    expect(page.stored().map((m) => m.content)).toEqual(['hello']);
    server.set('up');
    server.release();
    await vi.waitFor(() => expect(page.history()).toEqual(['hello']));
    expect(page.pending()).toEqual([]);
    expect(page.stored()).toEqual([]);
  });

  it('a message sent while disconnected waits as "sending" and goes out once when the connection is back', async () => {
    const server = fakeServer();
    server.set('down');
    const page = openPage(memoryStorage(), server);
    page.sender.send(CH, 'written offline');
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    expect(page.pending()).toEqual(['written offline (sending)']);

    server.set('up');
    page.sender.setConnected(true);
    await vi.waitFor(() => expect(page.history()).toEqual(['written offline']));
    expect(new Set(server.calls).size).toBe(1);
    expect(server.stored.size).toBe(1);
    expect(page.pending()).toEqual([]);
    expect(page.stored()).toEqual([]);
  });

  it('survives a reload while offline: the next page shows it as sending and sends it on reconnect, once', async () => {
    const storage = memoryStorage();
    const server = fakeServer();
    server.set('down');
    const before = openPage(storage, server);
    before.sender.send(CH, 'before the reload');
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));

    // The reload: a new page over the same storage, still offline.
    const after = openPage(storage, server);
    after.sender.restore();
    after.sender.restore();
    expect(after.pending()).toEqual(['before the reload (sending)']);
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));

    server.set('up');
    after.sender.setConnected(true);
    await vi.waitFor(() => expect(after.history()).toEqual(['before the reload']));
    expect(new Set(server.calls).size).toBe(1);
    expect([...server.stored.values()].map((m) => m.content)).toEqual(['before the reload']);
    expect(after.stored()).toEqual([]);
  });

  it('a picture sent without words survives a reload offline, and goes out with its attachment ids', async () => {
    const storage = memoryStorage();
    const server = fakeServer();
    server.set('down');
    const before = openPage(storage, server);
    const file = {
      id: 'f1',
      name: 'shot.png',
      contentType: 'image/png',
      size: 9,
      width: 4,
      height: 3,
      thumbnail: true,
    };
    before.sender.send(CH, '', [file]);
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    expect(before.stored().map((m) => m.attachments)).toEqual([[file]]);

    const after = openPage(storage, server);
    after.sender.restore();
    server.set('up');
    after.sender.setConnected(true);
    await vi.waitFor(() => expect(server.stored.size).toBe(1));
    expect(server.attached.at(-1)).toEqual(['f1']);
    expect(after.stored()).toEqual([]);
  });

  it('never has one message in flight twice: a reconnect during a send does not send it again', async () => {
    const server = fakeServer();
    server.set('hang');
    const page = openPage(memoryStorage(), server);
    page.sender.setConnected(true);
    page.sender.send(CH, 'once');
    page.sender.setConnected(false);
    page.sender.setConnected(true);
    page.sender.restore();
    expect(server.calls).toHaveLength(1);
    server.set('up');
    server.release();
    await vi.waitFor(() => expect(page.history()).toEqual(['once']));
    expect(server.calls).toHaveLength(1);
  });

  it('without an answer while connected, tries again until the server answers', async () => {
    const server = fakeServer();
    const page = openPage(memoryStorage(), server);
    page.sender.setConnected(true);
    server.set('down');
    page.sender.send(CH, 'persistent');
    await vi.waitFor(() => expect(server.calls.length).toBeGreaterThanOrEqual(3));
    server.set('up');
    await vi.waitFor(() => expect(page.history()).toEqual(['persistent']));
    expect(new Set(server.calls).size).toBe(1);
    expect(server.stored.size).toBe(1);
  });

  it('a refusal marks it failed (kept across a reload, never sent by itself); retry sends it, discard drops it', async () => {
    const storage = memoryStorage();
    const server = fakeServer();
    server.set({ refuse: 'FORBIDDEN' });
    const page = openPage(storage, server);
    page.sender.setConnected(true);
    page.sender.send(CH, 'refused');
    page.sender.send(CH, 'dropped');
    await vi.waitFor(() => expect(page.pending()).toEqual(['refused (failed)', 'dropped (failed)']));
    expect(server.calls).toHaveLength(2);

    server.set('up');
    const after = openPage(storage, server);
    after.sender.restore();
    after.sender.setConnected(true);
    expect(after.pending()).toEqual(['refused (failed)', 'dropped (failed)']);
    expect(server.calls).toHaveLength(2);

    const [refused, dropped] = after.live.pending.get()[CH] ?? [];
    if (!refused || !dropped) throw new Error('expected two pending messages');
    after.sender.discard(dropped);
    after.sender.retry(refused);
    await vi.waitFor(() => expect(after.history()).toEqual(['refused']));
    expect(after.pending()).toEqual([]);
    expect(after.stored()).toEqual([]);
  });

  it('a busy server is asked again a few times, then the message is marked failed', async () => {
    const server = fakeServer();
    server.set({ refuse: 'INTERNAL_SERVER_ERROR' });
    const page = openPage(memoryStorage(), server);
    page.sender.setConnected(true);
    page.sender.send(CH, 'busy');
    await vi.waitFor(() => expect(page.pending()).toEqual(['busy (failed)']));
    expect(server.calls).toHaveLength(4);
  });

  it('a message the stream confirmed meanwhile is not sent again on reconnect, and leaves the outbox', async () => {
    const server = fakeServer();
    server.set('down');
    const page = openPage(memoryStorage(), server);
    page.sender.send(CH, 'arrived anyway');
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    const [clientId] = server.calls;
    // The first attempt did reach the server; its message.created comes in with the stream.
    page.live.removePending(CH, clientId ?? '');
    page.sender.setConnected(true);
    expect(server.calls).toHaveLength(1);
    expect(page.stored()).toEqual([]);
  });
});
