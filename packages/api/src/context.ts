import type { IncomingMessage } from 'node:http';
import type { AgentToolset, Assistant } from '@hubbub/assistant';
import type { ChannelHub, Presence } from '@hubbub/bus';
import {
  type Agent,
  AppError,
  type Bus,
  CLOSE_CODES,
  type Clock,
  isSessionLive,
  KeyedThrottle,
  type Notifier,
  pushOff,
  type StoreSet,
  type User,
} from '@hubbub/core';
import { isApiKey, parseApiKey, secretMatches } from './api-keys';
import { DEFAULT_LIMITS, type LimitSettings, type RateLimiterSet } from './limits';
import type { StrengthChecker } from './password-strength';
import type { PasswordHasher } from './passwords';
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

/** Everything a procedure may touch, injected once per process. */
export interface AppDeps {
  stores: StoreSet;
  bus: Bus;
  hub: ChannelHub;
  presence: Presence;
  assistant: Assistant;
  clock: Clock;
  tokens: TokenService;
  /** How long a sign-in lasts at most, however often its tokens are refreshed. */
  sessionMaxAgeMs: number;
  passwords: PasswordHasher;
  strength: StrengthChecker;
  rateLimits: RateLimiterSet;
  limits: LimitSettings;
  typingThrottle: KeyedThrottle;
  /** Web Push (apps/server/src/push); `pushOff` where the host has none. */
  push: Notifier;
  /** An agent's tools for one reply, acting as `asker` in `channelId` (the host builds them); undefined: none. */
  agentToolset(agent: Agent, asker: User, channelId: string): AgentToolset | undefined;
  status(): Promise<SystemStatus>;
}

/** How the host gives agents their tools: it sees the finished deps (the tools call the API through them). */
export type AgentToolsetFactory = (
  deps: AppDeps,
  agent: Agent,
  asker: User,
  channelId: string,
) => AgentToolset | undefined;

export interface AppDepsInput
  extends Omit<
    AppDeps,
    'typingThrottle' | 'limits' | 'sessionMaxAgeMs' | 'passwords' | 'strength' | 'push' | 'agentToolset'
  > {
  push?: Notifier;
  /** Without: agents have no tools (they only write). */
  agentTools?: AgentToolsetFactory;
  limits?: Partial<LimitSettings>;
  sessionMaxAgeMs?: number;
  passwords: PasswordHasher;
  strength: StrengthChecker;
}

/** Thirty days: a browser stays signed in for a month of use, then asks again. */
export const DEFAULT_SESSION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export function createAppDeps(input: AppDepsInput): AppDeps {
  const { agentTools, ...rest } = input;
  const deps: AppDeps = {
    ...rest,
    limits: { ...DEFAULT_LIMITS, ...input.limits },
    sessionMaxAgeMs: input.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS,
    typingThrottle: new KeyedThrottle(2000),
    push: input.push ?? pushOff,
    agentToolset: (agent, asker, channelId) => agentTools?.(deps, agent, asker, channelId),
  };
  return deps;
}

/** A live socket (or a Server-Sent Events response), as far as procedures need to know it. */
export interface Connection {
  close(code: number, reason: string): void;
  /** Bytes queued in the socket but not yet sent: how far behind this client is. */
  bufferedAmount(): number;
  /**
   * A connection that carries one stream (an SSE response) admits it here: it throws the refusal (too many
   * streams), or returns the release. `end` ends the stream early with an error its client reads (the
   * credentials ended); a WebSocket says that in its close frame instead, so it has no such method.
   */
  openStream?(owner: Context, end: (error: Error) => void): () => void;
}

/** The HTTP exchange a procedure answers, where it has one: the browser's session cookie lives here. */
export interface HttpExchange {
  /** The refresh cookie the browser sent (`<session id>.<secret>`), if any. */
  sessionCookie: string | null;
  /** Sets (or, with null, clears) the refresh cookie on the response. */
  setSessionCookie(value: string | null, maxAgeMs?: number): void;
}

/**
 * What a procedure sees. The process-wide dependencies sit under `deps` rather
 * than being spread in: tRPC copies the context on every middleware merge, and
 * every WebSocket connection keeps one, so it stays small.
 */
export interface Context {
  deps: AppDeps;
  user: User | null;
  /** Set when the caller authenticated with an API key: it is re-checked on every call (revocation). */
  apiKeyId: string | null;
  /** Set when the caller authenticated with a user token: the session it belongs to, and its absolute end. */
  sessionId: string | null;
  sessionExpiresAt: number | null;
  /** Why a presented token was refused (HTTP), so protected calls can say so. */
  authError: string | null;
  transport: 'ws' | 'http' | 'internal';
  /** The client's address (behind a trusted proxy: the forwarded one): the key of anonymous limits. */
  address: string;
  connection: Connection | null;
  http: HttpExchange | null;
}

/** A context for tests and internal callers (createCaller): no transport. */
export function createContextInner(deps: AppDeps, user: User | null = null): Context {
  return {
    deps,
    user,
    apiKeyId: null,
    sessionId: null,
    sessionExpiresAt: null,
    authError: null,
    transport: 'internal',
    address: 'internal',
    connection: null,
    http: null,
  };
}

export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1] ?? null;
}

const isRefusal = (error: unknown): error is AppError => error instanceof AppError && error.code === 'UNAUTHORIZED';

export interface Principal {
  user: User;
  apiKeyId: string | null;
  sessionId: string | null;
  sessionExpiresAt: number | null;
}

/** Resolves a bearer token (user token or API key) to its principal; throws UNAUTHORIZED (with the reason) otherwise. */
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
    return { user, apiKeyId: key.id, sessionId: null, sessionExpiresAt: null };
  }
  const claims = await deps.tokens.verify(token);
  const found = await deps.stores.sessions.withUser(claims.sessionId);
  if (!found || found.user.id !== claims.userId || !isSessionLive(found.session, deps.clock.now())) {
    throw new AppError('UNAUTHORIZED', 'your session has ended: log in again');
  }
  const { session, user } = found;
  return { user, apiKeyId: null, sessionId: session.id, sessionExpiresAt: Date.parse(session.expiresAt) };
}

/** An API key may be revoked while its socket stays open: every call checks it again. */
export async function assertKeyActive(deps: AppDeps, apiKeyId: string | null): Promise<void> {
  if (!apiKeyId) return;
  const key = await deps.stores.apiKeys.byIdWithSecret(apiKeyId);
  if (!key || key.revokedAt) throw new AppError('UNAUTHORIZED', 'this API key was revoked');
  // A worker on a long-lived socket is seen on its calls too (agent.workers tells who is online).
  const now = deps.clock.now();
  if (!key.lastUsedAt || now - Date.parse(key.lastUsedAt) >= KEY_SEEN_EVERY_MS) {
    await deps.stores.apiKeys.touch(key.id, new Date(now).toISOString());
  }
}

/** How often a key's "last seen" is written at most (a worker calling many times a second writes once). */
export const KEY_SEEN_EVERY_MS = 15_000;

/** What the server knows about an HTTP request beyond the request itself. */
export interface HttpRequestInfo {
  /** The client's address (the server resolves trusted proxies); default: the socket's peer. */
  address?: string;
  exchange?: HttpExchange;
  /** A subscription streamed over this request (Server-Sent Events): its connection. */
  stream?: {
    connection: Connection;
    /**
     * Whether the session cookie may sign it in: a browser's EventSource cannot send a header, and a
     * same-origin subscription GET changes nothing, so the cookie is safe to accept there (and only there).
     */
    cookieSignIn: boolean;
    /** tRPC's `connectionParams`, which travel in the URL (they are refused as a way to send a token). */
    connectionParams: Record<string, string | undefined> | null;
  };
}

/** A token in a URL ends up in proxies' and servers' access logs: SSE clients send it as a header. */
const URL_TOKEN_REFUSED =
  'send the token in the Authorization header (or, in a browser, sign in for the session cookie): a token in the URL ends up in logs';

/** The live session a refresh cookie (`<session id>.<secret>`) names, with its person, if its secret matches. */
export async function sessionFromCookie(deps: AppDeps, cookie: string | null) {
  const [id, secret] = (cookie ?? '').split('.');
  if (!id || !secret) return null;
  const found = await deps.stores.sessions.withUser(id);
  if (!found) return null;
  const { session } = found;
  return secretMatches(secret, session.secretHash) && isSessionLive(session, deps.clock.now()) ? found : null;
}

/** The live session (and its person) a refresh cookie names; throws UNAUTHORIZED otherwise. */
async function principalFromCookie(deps: AppDeps, cookie: string): Promise<Principal> {
  const found = await sessionFromCookie(deps, cookie);
  if (!found) throw new AppError('UNAUTHORIZED', 'your session has ended: log in again');
  const { session, user } = found;
  return { user, apiKeyId: null, sessionId: session.id, sessionExpiresAt: Date.parse(session.expiresAt) };
}

/** Who an HTTP request speaks for: its bearer token; for a subscription stream, else its session cookie. */
async function httpPrincipal(deps: AppDeps, req: IncomingMessage, info: HttpRequestInfo): Promise<Principal | null> {
  const token = bearerToken(req.headers.authorization);
  if (token) return authenticate(deps, token);
  const { stream } = info;
  if (!stream) return null;
  if (stream.connectionParams?.token) throw new AppError('UNAUTHORIZED', URL_TOKEN_REFUSED);
  const cookie = info.exchange?.sessionCookie;
  return stream.cookieSignIn && cookie ? principalFromCookie(deps, cookie) : null;
}

export async function createHttpContext(
  deps: AppDeps,
  req: IncomingMessage,
  info: HttpRequestInfo = {},
): Promise<Context> {
  let principal: Principal | null = null;
  let authError: string | null = null;
  try {
    principal = await httpPrincipal(deps, req, info);
  } catch (error) {
    // Only refused credentials are an auth problem; anything else (the database is down) is the server's.
    if (!isRefusal(error)) throw error;
    authError = error.message;
  }
  return {
    deps,
    user: principal?.user ?? null,
    apiKeyId: principal?.apiKeyId ?? null,
    sessionId: principal?.sessionId ?? null,
    sessionExpiresAt: principal?.sessionExpiresAt ?? null,
    authError,
    transport: 'http',
    address: info.address ?? req.socket.remoteAddress ?? 'unknown',
    connection: info.stream?.connection ?? null,
    http: info.exchange ?? null,
  };
}

/**
 * WebSocket context, made once per connection. An invalid token refuses the
 * connection (error frame, then close 4401) rather than downgrading it.
 */
export async function createWsContext(
  deps: AppDeps,
  opts: {
    req: IncomingMessage;
    connection: Connection;
    connectionParams: Record<string, string | undefined> | null;
    address?: string;
  },
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
    sessionId: principal?.sessionId ?? null,
    sessionExpiresAt: principal?.sessionExpiresAt ?? null,
    authError: null,
    transport: 'ws',
    address: opts.address ?? opts.req.socket.remoteAddress ?? 'unknown',
    connection: opts.connection,
    http: null,
  };
}
