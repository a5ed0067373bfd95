import { z } from 'zod';

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
  HUBBUB_TOKEN_TTL: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL (unset = SQLite in HUBBUB_DATA_DIR)')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL')
    .optional(),
  HUBBUB_REDIS_PREFIX: z.string().min(1).default('hubbub'),
  HUBBUB_INSTANCE: z.string().min(1).optional(),
  /** Cluster mode: how long a killed instance, and its users' presence, stays listed (default 15 s). */
  HUBBUB_PRESENCE_TTL_MS: z.coerce.number().int().min(300).optional(),
  HUBBUB_TASK_TIMEOUT_S: z.coerce.number().positive().default(300),
  HUBBUB_WEB_DIR: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  HUBBUB_MODEL: z.string().min(1).optional(),
  HUBBUB_SYSTEM_PROMPT: z.string().optional(),
  HUBBUB_MAX_TOKENS: z.coerce.number().int().positive().optional(),
  /** Pace of the built-in offline model (ms between bursts of tokens). */
  HUBBUB_OFFLINE_TOKEN_MS: z.coerce.number().int().min(0).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof ZEnv>;

/** Reads and validates the environment once; exits with a readable message when it is wrong. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = ZEnv.refine((e) => !e.OPENAI_BASE_URL || e.HUBBUB_MODEL, {
    message: 'OPENAI_BASE_URL is set but HUBBUB_MODEL is not: say which model to use',
    path: ['HUBBUB_MODEL'],
  }).safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    console.error(`Invalid configuration:\n${lines.join('\n')}`);
    process.exit(1);
  }
  return parsed.data;
}
