import type { IncomingMessage } from 'node:http';
import type { Assistant } from '@hubbub/assistant';
import type { ChannelHub, Presence } from '@hubbub/bus';
import {
  type ApiKeyStore,
  AppError,
  type Bus,
  type ChatStore,
  CLOSE_CODES,
  type Clock,
  KeyedThrottle,
  type TaskStore,
  TokenBucket,
  type User,
  type UserStore,
} from '@hubbub/core';
import { isApiKey, parseApiKey, secretMatches } from './api-keys';
import type { TokenService } from './tokens';

export interface SystemStatus {
  version: string;
  instance: string;
  uptimeS: number;
  connections: number;
  subscriptions: number;
  channels: number;
  store: 'sqlite' | 'postgres';
  bus: 'memory' | 'redis';
  /** Every live instance of the cluster (just this one without Redis). */
  instances: { instance: string; [key: string]: unknown }[];
}

export interface Limits {
  /** A subscriber whose socket has more than this many bytes unsent is cut off to resume later. */
  maxBufferedBytes: number;
}

export interface RateLimit {
  /** Mutations allowed at once. */
  burst: number;
  /** Refill per second. */
  perSecond: number;
}

/** Everything a procedure may touch, injected once per process. */
export interface AppDeps {
  stores: {
    kind: 'sqlite' | 'postgres';
    users: UserStore;
    chat: ChatStore;
    tasks: TaskStore;
    apiKeys: ApiKeyStore;
  };
  bus: Bus;
  hub: ChannelHub;
  presence: Presence;
  assistant: Assistant;
  clock: Clock;
  tokens: TokenService;
  rateLimit: RateLimit;
  limits: Limits;
  typingThrottle: KeyedThrottle;
  status(): Promise<SystemStatus>;
}

export interface AppDepsInput extends Omit<AppDeps, 'typingThrottle' | 'rateLimit' | 'limits'> {
  rateLimit?: RateLimit;
  limits?: Partial<Limits>;
}

export function createAppDeps(input: AppDepsInput): AppDeps {
  return {
    ...input,
    rateLimit: input.rateLimit ?? { burst: 30, perSecond: 10 },
    limits: { maxBufferedBytes: 4 * 1024 * 1024, ...input.limits },
    typingThrottle: new KeyedThrottle(2000),
  };
}

/** A live socket, as far as procedures need to know it. */
export interface Connection {
  close(code: number, reason: string): void;
  /** Bytes queued in the socket but not yet sent: how far behind this client is. */
  bufferedAmount(): number;
}

/**
 * What a procedure sees. The process-wide dependencies sit under `deps` rather
 * than being spread in: tRPC copies the context on every middleware merge, and
 * every WebSocket connection keeps one, so it stays small.
 */
export interface Context {
  deps: AppDeps;
  user: User | null;
  apiKeyId: string | null;
  /** Why a presented token was refused (HTTP), so protected calls can say so. */
  authError: string | null;
  transport: 'ws' | 'http' | 'internal';
  limiter: TokenBucket;
  connection: Connection | null;
}

/** A context for tests and internal callers (createCaller): no transport. */
export function createContextInner(deps: AppDeps, user: User | null = null): Context {
  return {
    deps,
    user,
    apiKeyId: null,
    authError: null,
    transport: 'internal',
    limiter: new TokenBucket(deps.rateLimit.burst, deps.rateLimit.perSecond, deps.clock.now()),
    connection: null,
  };
}

export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

const isRefusal = (error: unknown): error is AppError => error instanceof AppError && error.code === 'UNAUTHORIZED';

export interface Principal {
  user: User;
  /** Set when the caller authenticated with an API key: it is re-checked on every call (revocation). */
  apiKeyId: string | null;
}

/** Resolves a bearer token (JWT or API key) to its principal; throws UNAUTHORIZED (with the reason) otherwise. */
export async function authenticate(deps: AppDeps, token: string): Promise<Principal> {
  if (isApiKey(token)) {
    const parsed = parseApiKey(token);
    const key = parsed && (await deps.stores.apiKeys.byIdWithSecret(parsed.id));
    if (!parsed || !key || !secretMatches(parsed.secret, key.secretHash)) {
      throw new AppError('UNAUTHORIZED', 'invalid API key');
    }
    if (key.revokedAt) throw new AppError('UNAUTHORIZED', 'this API key was revoked');
    const user = await deps.stores.users.byId(key.userId);
    if (!user) throw new AppError('UNAUTHORIZED', 'invalid API key');
    await deps.stores.apiKeys.touch(key.id, new Date(deps.clock.now()).toISOString());
    return { user, apiKeyId: key.id };
  }
  const userId = await deps.tokens.verify(token);
  const user = await deps.stores.users.byId(userId);
  if (!user) throw new AppError('UNAUTHORIZED', 'invalid token: the account no longer exists');
  return { user, apiKeyId: null };
}

/** An API key may be revoked while its socket stays open: every call checks it again. */
export async function assertKeyActive(deps: AppDeps, apiKeyId: string | null): Promise<void> {
  if (!apiKeyId) return;
  const key = await deps.stores.apiKeys.byIdWithSecret(apiKeyId);
  if (!key || key.revokedAt) throw new AppError('UNAUTHORIZED', 'this API key was revoked');
}

const httpLimiters = new WeakMap<AppDeps, Map<string, TokenBucket>>();

/** HTTP has no connection to hang a limiter on: key it by client address and token. */
function httpLimiter(deps: AppDeps, key: string): TokenBucket {
  let map = httpLimiters.get(deps);
  if (!map) {
    map = new Map();
    httpLimiters.set(deps, map);
  }
  let bucket = map.get(key);
  if (!bucket) {
    if (map.size > 10_000) map.clear();
    bucket = new TokenBucket(deps.rateLimit.burst, deps.rateLimit.perSecond, deps.clock.now());
    map.set(key, bucket);
  }
  return bucket;
}

export async function createHttpContext(deps: AppDeps, req: IncomingMessage): Promise<Context> {
  const token = bearerToken(req.headers.authorization);
  let principal: Principal | null = null;
  let authError: string | null = null;
  if (token) {
    try {
      principal = await authenticate(deps, token);
    } catch (error) {
      // Only a refused token is an auth problem; anything else (the database is down) is the server's.
      if (!isRefusal(error)) throw error;
      authError = error.message;
    }
  }
  const user = principal?.user ?? null;
  const key = `${req.socket.remoteAddress ?? ''}|${user?.id ?? ''}`;
  return {
    deps,
    user,
    apiKeyId: principal?.apiKeyId ?? null,
    authError,
    transport: 'http',
    limiter: httpLimiter(deps, key),
    connection: null,
  };
}

/**
 * WebSocket context, made once per connection. An invalid token refuses the
 * connection (error frame, then close 4401) rather than downgrading it.
 */
export async function createWsContext(
  deps: AppDeps,
  opts: { req: IncomingMessage; connection: Connection; connectionParams: Record<string, string | undefined> | null },
): Promise<Context> {
  const url = new URL(opts.req.url ?? '/', 'http://localhost');
  const token = opts.connectionParams?.token || url.searchParams.get('token');
  let principal: Principal | null = null;
  if (token) {
    try {
      principal = await authenticate(deps, token);
    } catch (error) {
      // A refused token: after the adapter has sent the error frame (same tick), close with a code that
      // says "do not retry". Any other failure (the database is down) closes normally: the client retries.
      if (isRefusal(error)) setImmediate(() => opts.connection.close(CLOSE_CODES.unauthorized, error.message));
      throw error;
    }
  }
  return {
    deps,
    user: principal?.user ?? null,
    apiKeyId: principal?.apiKeyId ?? null,
    authError: null,
    transport: 'ws',
    limiter: new TokenBucket(deps.rateLimit.burst, deps.rateLimit.perSecond, deps.clock.now()),
    connection: opts.connection,
  };
}
