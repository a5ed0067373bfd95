import { Assistant, createOfflineModel } from '@hubbub/assistant';
import { ChannelHub, createLocalPresence, createMemoryBus, createMemoryRateLimiters } from '@hubbub/bus';
import { type Notifier, systemClock, type User } from '@hubbub/core';
import { createSqliteStores } from '@hubbub/db';
import { type AppDeps, authenticate, type Context, createAppDeps, createContextInner } from '../context';
import { createRateLimiterSet, DEFAULT_LIMITS, NO_RATE_LIMITS } from '../limits';
import { strengthChecker } from '../password-strength';
import { createPasswordHasher } from '../passwords';
import { createCaller } from '../root';
import { createTokenService } from '../tokens';

/**
 * A whole Hubbub API in memory, called through tRPC's createCaller: SQLite
 * `:memory:`, the in-process bus, hub and presence, the offline assistant,
 * and rate limits nobody reaches. No sockets, no HTTP: the middle test layer.
 * Composed like apps/server's hubbub.ts, from the packages alone.
 */
export async function createTestApp(options: { push?: Notifier } = {}) {
  const stores = await createSqliteStores(':memory:');
  const bus = createMemoryBus();
  const hub = new ChannelHub(bus);
  const presence = createLocalPresence(bus, (channelId) => hub.online(channelId));
  hub.setPresenceListener((topic, users) => presence.changed(topic, users));
  const assistant = new Assistant({ chat: stores.chat, bus, model: createOfflineModel(), instance: 'test' });
  const limits = { ...DEFAULT_LIMITS, ...NO_RATE_LIMITS };
  const deps: AppDeps = createAppDeps({
    stores,
    bus,
    hub,
    presence,
    assistant,
    clock: systemClock,
    tokens: createTokenService('a test secret, long enough for HS256 signing', 900),
    passwords: createPasswordHasher(),
    strength: strengthChecker(),
    rateLimits: createRateLimiterSet(createMemoryRateLimiters(), limits),
    limits,
    push: options.push,
    status: async () => ({
      version: 'test',
      instance: 'test',
      uptimeS: 0,
      connections: 0,
      subscriptions: hub.stats.subscriptions,
      channels: hub.stats.channels,
      store: stores.kind,
      bus: bus.kind,
      instances: [{ instance: 'test' }],
    }),
  });

  let people = 0;
  /** The caller as a signed-in person (no session: createCaller has no transport) or as an API key. */
  const callerFor = (ctx: Context) => createCaller(ctx);

  return {
    deps,
    /** Signed out. */
    anonymous: () => callerFor(createContextInner(deps)),
    /** A person, and a caller for them. The first person of a database is its admin; later ones are members. */
    async person(handle = `person${++people}`) {
      const user = await stores.users.create({ handle, displayName: handle, passwordHash: 'not-a-password' });
      return { user, call: callerFor(createContextInner(deps, user)) };
    },
    /**
     * An API key minted by `admin` (through apiKey.create), and a caller that signs in with it the way the
     * server does (authenticate), so its identity carries the key (apiKeyId: revocation, agent names).
     */
    async apiKey(admin: User, input: { name: string; role?: 'agent' | 'member'; agents?: string[] }) {
      const { key, apiKey } = await callerFor(createContextInner(deps, admin)).apiKey.create(input);
      const principal = await authenticate(deps, key);
      const ctx: Context = { ...createContextInner(deps, principal.user), apiKeyId: principal.apiKeyId };
      return { user: principal.user, apiKey, call: callerFor(ctx) };
    },
    async close() {
      await assistant.stopAll();
      await presence.close();
      await bus.close();
      await stores.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
/** A caller of the whole API. */
export type Caller = ReturnType<TestApp['anonymous']>;

/** How a call was refused: its tRPC code and message (what a client sees); fails the test if it was not. */
export async function refusal(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('the call was expected to be refused');
}
