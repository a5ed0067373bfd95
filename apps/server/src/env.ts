import { DEFAULT_LIMITS, type LimitSettings } from '@hubbub/api';
import { z } from 'zod';
import { createClientAddresses } from './http/client-address';

/*
 * Each default is stated once. A setting whose default another module owns
 * either stays unset here (`.optional()`: config.ts SERVER_DEFAULTS,
 * @hubbub/api, @hubbub/db, @hubbub/bus or @hubbub/assistant fills it in) or
 * names that module's constant (the abuse limits). A literal `.default()` is
 * one only this process has: its port, its data dir, the app's daily budget.
 */

const ZEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  HUBBUB_DATA_DIR: z.string().default('./data'),
  HUBBUB_SECRET: z.string().min(32, 'HUBBUB_SECRET must be at least 32 characters').optional(),
  HUBBUB_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** A bearer token that opens /metrics and /api/status to a scraper (admins' tokens always do). */
  HUBBUB_METRICS_TOKEN: z.string().min(16, 'HUBBUB_METRICS_TOKEN must be at least 16 characters').optional(),
  /** Open connections one client address may hold (0 = no cap: load tests). */
  HUBBUB_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).optional(),
  /** Proxies whose X-Forwarded-For names the client: IPs, CIDRs, or loopback / linklocal / uniquelocal. */
  HUBBUB_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const list = s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      try {
        createClientAddresses(list);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
      return list;
    }),
  HUBBUB_TOKEN_TTL: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL (unset = SQLite in HUBBUB_DATA_DIR)')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL')
    .optional(),
  HUBBUB_REDIS_PREFIX: z.string().min(1).optional(),
  HUBBUB_INSTANCE: z.string().min(1).optional(),
  /** Cluster mode: how long a killed instance, and its users' presence, stays listed. */
  HUBBUB_PRESENCE_TTL_MS: z.coerce.number().int().min(300).optional(),
  HUBBUB_TASK_TIMEOUT_S: z.coerce.number().positive().optional(),
  HUBBUB_WEB_DIR: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  HUBBUB_MODEL: z.string().min(1).optional(),
  HUBBUB_SYSTEM_PROMPT: z.string().optional(),
  HUBBUB_MAX_TOKENS: z.coerce.number().int().positive().optional(),
  /** Pace of the built-in offline model (ms between bursts of tokens). */
  HUBBUB_OFFLINE_TOKEN_MS: z.coerce.number().int().min(0).optional(),
  /** Assistant replies generating at once, per instance; more wait in line. */
  HUBBUB_ASSISTANT_MAX_CONCURRENT: z.coerce.number().int().min(1).optional(),
  /** Assistant replies that may wait in line, per instance; beyond it requests are refused. */
  HUBBUB_ASSISTANT_MAX_QUEUE: z.coerce.number().int().min(0).optional(),
  /** Assistant replies one person may ask for per day, retries included (0 = unlimited). */
  HUBBUB_ASSISTANT_DAILY_REPLIES: z.coerce.number().int().min(0).default(200),
  /** Writes (mutations) per user across connections and instances: a burst, refilled per second. */
  HUBBUB_WRITE_BURST: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.writes.burst),
  HUBBUB_WRITES_PER_SECOND: z.coerce.number().positive().default(DEFAULT_LIMITS.writes.perSecond),
  /** Reads (queries) per user, likewise; signed out: per client address. */
  HUBBUB_READ_BURST: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.reads.burst),
  HUBBUB_READS_PER_SECOND: z.coerce.number().positive().default(DEFAULT_LIMITS.reads.perSecond),
  HUBBUB_CHANNELS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.channelCreatesPerHour),
  HUBBUB_SIGNUPS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.signupsPerHourPerAddress),
  /** Sign-in attempts per handle / per client address in 15 minutes. */
  HUBBUB_LOGIN_ATTEMPTS_PER_HANDLE: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.loginAttemptsPerHandle),
  HUBBUB_LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.loginAttemptsPerAddress),
  /** Unsent bytes one connection may hold before it is cut off ("too slow", resume later). */
  HUBBUB_MAX_BUFFERED_BYTES: z.coerce.number().int().min(65_536).default(DEFAULT_LIMITS.maxBufferedBytes),
  /** Files one person may upload per hour. */
  HUBBUB_UPLOADS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_LIMITS.uploadsPerHour),
  /** Largest file upload in bytes (default 10 MiB, config.ts). */
  HUBBUB_MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .optional(),
  /** How long a sign-in lasts at most, however often its tokens are refreshed. */
  HUBBUB_SESSION_MAX_AGE_S: z.coerce.number().int().min(60).optional(),
  /** Web Push: the VAPID pair (web-push generate-vapid-keys), both or neither; unset: made once, kept in the database. */
  HUBBUB_VAPID_PUBLIC_KEY: z
    .string()
    .refine((k) => base64urlBytes(k) === 65, 'HUBBUB_VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)')
    .optional(),
  HUBBUB_VAPID_PRIVATE_KEY: z
    .string()
    .refine(
      (k) => base64urlBytes(k) === 32,
      'HUBBUB_VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)',
    )
    .optional(),
  /** How push services reach the operator: a mailto: or https: URL. */
  HUBBUB_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'HUBBUB_VAPID_SUBJECT must be a mailto: or https: URL')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof ZEnv>;

/** The abuse limits the environment sets. */
export function limitsFromEnv(env: Env): LimitSettings {
  return {
    writes: { burst: env.HUBBUB_WRITE_BURST, perSecond: env.HUBBUB_WRITES_PER_SECOND },
    reads: { burst: env.HUBBUB_READ_BURST, perSecond: env.HUBBUB_READS_PER_SECOND },
    channelCreatesPerHour: env.HUBBUB_CHANNELS_PER_HOUR,
    signupsPerHourPerAddress: env.HUBBUB_SIGNUPS_PER_HOUR,
    loginAttemptsPerHandle: env.HUBBUB_LOGIN_ATTEMPTS_PER_HANDLE,
    loginAttemptsPerAddress: env.HUBBUB_LOGIN_ATTEMPTS_PER_ADDRESS,
    maxBufferedBytes: env.HUBBUB_MAX_BUFFERED_BYTES,
    uploadsPerHour: env.HUBBUB_UPLOADS_PER_HOUR,
  };
}

/** Bytes a base64url string decodes to; -1 when it is not base64url. */
function base64urlBytes(value: string): number {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/** Web Push settings from the environment (the VAPID pair only when both halves are set: readEnv checks that). */
export function pushFromEnv(env: Env): { vapidKeys?: { publicKey: string; privateKey: string }; subject?: string } {
  const { HUBBUB_VAPID_PUBLIC_KEY: publicKey, HUBBUB_VAPID_PRIVATE_KEY: privateKey } = env;
  return {
    ...(publicKey && privateKey ? { vapidKeys: { publicKey, privateKey } } : {}),
    ...(env.HUBBUB_VAPID_SUBJECT ? { subject: env.HUBBUB_VAPID_SUBJECT } : {}),
  };
}

/** Validates `source` against `schema` once; exits with a readable message when it is wrong. */
function parseOrExit<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    console.error(`Invalid configuration:\n${lines.join('\n')}`);
    process.exit(1);
  }
  return parsed.data;
}

/** Reads and validates the server's environment once; exits with a readable message when it is wrong. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  return parseOrExit(
    ZEnv.refine((e) => !e.OPENAI_BASE_URL || e.HUBBUB_MODEL, {
      message: 'OPENAI_BASE_URL is set but HUBBUB_MODEL is not: say which model to use',
      path: ['HUBBUB_MODEL'],
    }).refine((e) => !e.HUBBUB_VAPID_PUBLIC_KEY === !e.HUBBUB_VAPID_PRIVATE_KEY, {
      message: 'set both HUBBUB_VAPID_PUBLIC_KEY and HUBBUB_VAPID_PRIVATE_KEY, or neither',
      path: ['HUBBUB_VAPID_PRIVATE_KEY'],
    }),
    source,
  );
}

/** Seconds from the environment as milliseconds; unset stays unset (the owner's default applies). */
export const secondsToMs = (seconds: number | undefined): number | undefined =>
  seconds === undefined ? undefined : seconds * 1000;

/** `pnpm demo`: the server's environment, and which Hubbub to talk to (default: this machine, on PORT). */
export function readDemoEnv(source: NodeJS.ProcessEnv = process.env): Env & { HUBBUB_URL: string } {
  const env = readEnv(source);
  const { HUBBUB_URL } = parseOrExit(z.object({ HUBBUB_URL: z.string().url().optional() }), source);
  return { ...env, HUBBUB_URL: HUBBUB_URL ?? `http://localhost:${env.PORT}` };
}

/** The local PostgreSQL and Redis `pnpm start:cluster` uses when DATABASE_URL / REDIS_URL are unset. */
const LOCAL_CLUSTER = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hubbub',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

const ZClusterEnv = z.object({
  /** The first instance's port; the others follow it. */
  BASE_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  INSTANCES: z.coerce.number().int().min(1).default(3),
});

export type ClusterEnv = Env & z.infer<typeof ZClusterEnv> & { DATABASE_URL: string; REDIS_URL: string };

/** `pnpm start:cluster`: the server's environment (every instance inherits it), on the local backends by default. */
export function readClusterEnv(source: NodeJS.ProcessEnv = process.env): ClusterEnv {
  const env = readEnv(source);
  return {
    ...env,
    ...parseOrExit(ZClusterEnv, source),
    DATABASE_URL: env.DATABASE_URL ?? LOCAL_CLUSTER.DATABASE_URL,
    REDIS_URL: env.REDIS_URL ?? LOCAL_CLUSTER.REDIS_URL,
  };
}
