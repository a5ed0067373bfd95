import { createTRPCClient, type OperationResultEnvelope, type TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { type Observer, observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import {
  judgeWebSocket,
  type Transport,
  TransportSelector,
  transportLink,
  WS_FAILING_MS_BEFORE_HTTP,
  WS_FAILURES_BEFORE_HTTP,
} from './transport';

describe('judgeWebSocket: when a failing WebSocket sends us to HTTP', () => {
  const never = { everWorked: false, failingSince: 0 };
  it('keeps trying below the failure count', () => {
    expect(judgeWebSocket({ ...never, failures: WS_FAILURES_BEFORE_HTTP - 1 }, 0)).toBe('keep-trying');
  });
  it('tries HTTP at the failure count when the socket never worked here', () => {
    expect(judgeWebSocket({ ...never, failures: WS_FAILURES_BEFORE_HTTP }, 0)).toBe('try-http');
  });
  it('keeps trying a socket that worked before until it has been failing long enough', () => {
    const worked = { everWorked: true, failures: 10, failingSince: 1_000 };
    expect(judgeWebSocket(worked, 1_000 + WS_FAILING_MS_BEFORE_HTTP - 1)).toBe('keep-trying');
    expect(judgeWebSocket(worked, 1_000 + WS_FAILING_MS_BEFORE_HTTP)).toBe('try-http');
  });
});

function selector(httpAnswers: () => Promise<boolean>, now = () => 0) {
  const s = new TransportSelector({ initial: 'ws', httpAnswers, now });
  const seen: Transport[] = [];
  s.subscribe(() => seen.push(s.current()));
  return { s, seen };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('TransportSelector', () => {
  it('falls back after three failed attempts when HTTP answers, and comes back when a socket gets through', async () => {
    const { s, seen } = selector(async () => true);
    s.wsFailed();
    s.wsFailed();
    await settle();
    expect(s.current()).toBe('ws');
    s.wsFailed();
    await settle();
    expect(s.current()).toBe('http');
    s.wsHeard();
    expect(seen).toEqual(['http', 'ws']);
  });

  it('stays on the WebSocket when HTTP does not answer either (the server is down, not the socket blocked)', async () => {
    const { s, seen } = selector(async () => false);
    for (let i = 0; i < 5; i++) s.wsFailed();
    await settle();
    expect(s.current()).toBe('ws');
    expect(seen).toEqual([]);
  });

  it('does not fall back when a socket got through while HTTP was being asked', async () => {
    let answer: (ok: boolean) => void = () => {};
    const { s } = selector(() => new Promise((resolve) => (answer = resolve)));
    for (let i = 0; i < WS_FAILURES_BEFORE_HTTP; i++) s.wsFailed();
    s.wsHeard();
    answer(true);
    await settle();
    expect(s.current()).toBe('ws');
  });

  it('gives a socket that worked before 30 s of failures', async () => {
    let now = 0;
    const { s } = selector(
      async () => true,
      () => now,
    );
    s.wsHeard();
    for (let i = 0; i < 6; i++) s.wsFailed();
    await settle();
    expect(s.current()).toBe('ws');
    now = WS_FAILING_MS_BEFORE_HTTP;
    s.wsFailed();
    await settle();
    expect(s.current()).toBe('http');
  });
});

/** A fake transport: records what it was asked, and lets the test push results to each subscription. */
function fakeTransport(name: Transport) {
  const subscriptions: {
    input: unknown;
    observer: Observer<OperationResultEnvelope<unknown, TRPCClientError<AnyRouter>>, TRPCClientError<AnyRouter>>;
    open: boolean;
  }[] = [];
  const calls: string[] = [];
  const subscriptionLink: TRPCLink<AnyRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        const entry = { input: op.input, observer, open: true };
        subscriptions.push(entry);
        observer.next({ result: { type: 'started' } });
        return () => {
          entry.open = false;
        };
      });
  const callLink: TRPCLink<AnyRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        calls.push(op.path);
        observer.next({ result: { type: 'data', data: name } });
        observer.complete();
        return () => {};
      });
  return { subscriptions, calls, links: { calls: callLink, subscriptions: subscriptionLink } };
}

describe('transportLink', () => {
  it('moves a live subscription to the new transport, resuming from the last id it delivered', async () => {
    const s = new TransportSelector({ initial: 'ws', httpAnswers: async () => true });
    const ws = fakeTransport('ws');
    const http = fakeTransport('http');
    const states: (string | null)[] = [];
    const client = createTRPCClient<AnyRouter>({
      links: [
        transportLink({
          selector: s,
          links: { ws: ws.links, http: http.links },
          onStreamState: (_stream, state, transport) => states.push(state && `${transport}:${state}`),
        }),
      ],
    });
    const received: unknown[] = [];
    let completed = false;
    const untyped = client as unknown as {
      channel: { onEvent: { subscribe(input: unknown, opts: object): { unsubscribe(): void } } };
      system: { ping: { query(): Promise<unknown> } };
    };
    const sub = untyped.channel.onEvent.subscribe(
      { channelId: 'c1', lastEventId: 'e:1' },
      { onData: (data: unknown) => received.push(data), onComplete: () => (completed = true) },
    );
    expect(await untyped.system.ping.query()).toBe('ws');
    ws.subscriptions[0]?.observer.next({ result: { type: 'data', id: 'e:2', data: { id: 'e:2', data: 'two' } } });

    for (let i = 0; i < WS_FAILURES_BEFORE_HTTP; i++) s.wsFailed();
    await settle();
    expect(s.current()).toBe('http');
    expect(ws.subscriptions[0]?.open).toBe(false);
    expect(http.subscriptions[0]?.input).toEqual({ channelId: 'c1', lastEventId: 'e:2' });
    http.subscriptions[0]?.observer.next({ result: { id: 'e:3', data: { id: 'e:3', data: 'three' } } });
    expect(await untyped.system.ping.query()).toBe('http');

    s.wsHeard();
    expect(http.subscriptions[0]?.open).toBe(false);
    expect(ws.subscriptions[1]?.input).toEqual({ channelId: 'c1', lastEventId: 'e:3' });
    expect(received).toEqual([
      { id: 'e:2', data: 'two' },
      { id: 'e:3', data: 'three' },
    ]);
    // The old transport's teardown is not the subscriber's end.
    expect(completed).toBe(false);
    expect(states).toEqual(['ws:connecting', 'ws:live', 'http:connecting', 'http:live', 'ws:connecting', 'ws:live']);
    sub.unsubscribe();
    expect(ws.subscriptions[1]?.open).toBe(false);
    expect(states.at(-1)).toBeNull();
  });
});
