import type { AppRouter } from '@hubbub/api';
import { createTRPCClient, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import { errorCode } from './errors';
import { refreshRetryLink, type TokenSource } from './refresh-retry-link';

/** A server stand-in at the end of the chain: refuses tokens it considers expired, records what it was sent. */
function fakeServer(valid: Set<string>, source: { token(): string | null }) {
  const seen: { path: string; token: string | null }[] = [];
  const link: TRPCLink<AppRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        const token = source.token();
        seen.push({ path: op.path, token });
        if (!token || !valid.has(token)) {
          observer.error(
            TRPCClientError.from({ error: { code: -32001, message: 'token expired', data: { code: 'UNAUTHORIZED' } } }),
          );
          return;
        }
        observer.next({ result: { type: 'data', data: { ok: true, path: op.path } } });
        observer.complete();
      });
  return { link, seen };
}

function setup(recoverWith: (sentWith: string) => Promise<boolean>) {
  let token: string | null = 'old';
  const valid = new Set<string>(['new']);
  const recovered: string[] = [];
  const source: TokenSource = {
    token: () => token,
    recover: async (sentWith) => {
      recovered.push(sentWith);
      const ok = await recoverWith(sentWith);
      if (ok) token = 'new';
      return ok;
    },
  };
  const server = fakeServer(valid, source);
  const client = createTRPCClient<AppRouter>({ links: [refreshRetryLink(source), server.link] });
  return { client, seen: server.seen, recovered, valid, setToken: (t: string | null) => (token = t) };
}

describe('refreshRetryLink', () => {
  it('sends a call refused for its token once more after a refresh (a send after the tab slept)', async () => {
    const { client, seen, recovered } = setup(async () => true);
    const result = await client.message.send.mutate({ channelId: 'c1', content: 'typed before sleeping' });
    expect(result).toEqual({ ok: true, path: 'message.send' });
    expect(recovered).toEqual(['old']);
    expect(seen.map((s) => s.token)).toEqual(['old', 'new']);
  });

  it('passes the refusal on when no new token can be had (the session is over)', async () => {
    const { client, seen } = setup(async () => false);
    const error = await client.channel.list.query().catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UNAUTHORIZED');
    expect(seen).toHaveLength(1);
  });

  it('passes the refusal on when the refresh itself fails', async () => {
    const { client, seen } = setup(() => Promise.reject(new Error('offline')));
    const error = await client.channel.list.query().catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UNAUTHORIZED');
    expect(seen).toHaveLength(1);
  });

  it('retries only once: a second refusal is the answer', async () => {
    const { client, seen, recovered, valid } = setup(async () => true);
    valid.clear();
    const error = await client.channel.list.query().catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UNAUTHORIZED');
    expect(recovered).toEqual(['old']);
    expect(seen).toHaveLength(2);
  });

  it('leaves credential calls alone: a wrong password is not an expired token', async () => {
    const { client, recovered, setToken } = setup(async () => true);
    const error = await client.auth.login.mutate({ handle: 'alice', password: 'wrong' }).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('UNAUTHORIZED');
    setToken(null);
    const anonymous = await client.channel.list.query().catch((e: unknown) => e);
    expect(errorCode(anonymous)).toBe('UNAUTHORIZED');
    expect(recovered).toEqual([]);
  });
});
