import { fileURLToPath } from 'node:url';
import { createOpenAICompatibleModel } from '@hubbub/assistant';
import { limitsFromEnv, pushFromEnv, readEnv, secondsToMs } from './env';
import { createHubbub } from './hubbub';
import { createLogger } from './logger';
import { loadOrCreateSecret } from './secret';

const env = readEnv();
const logger = createLogger(env.LOG_LEVEL);

/** Startup failed (e.g. the database is unreachable): say so plainly and exit non-zero (a supervisor retries). */
function cannotStart(error: unknown): never {
  logger.fatal({ err: error }, 'hubbub could not start');
  console.error(`\n  Hubbub could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const hubbub = await createHubbub({
  dataDir: env.HUBBUB_DATA_DIR,
  postgres: env.DATABASE_URL ? { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE } : undefined,
  redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.HUBBUB_REDIS_PREFIX } : undefined,
  instance: env.HUBBUB_INSTANCE,
  presenceTtlMs: env.HUBBUB_PRESENCE_TTL_MS,
  secret: loadOrCreateSecret(env.HUBBUB_DATA_DIR, env.HUBBUB_SECRET),
  tokenTtlSeconds: env.HUBBUB_TOKEN_TTL,
  sessionMaxAgeMs: secondsToMs(env.HUBBUB_SESSION_MAX_AGE_S),
  limits: limitsFromEnv(env),
  maxUploadBytes: env.HUBBUB_MAX_UPLOAD_BYTES,
  allowedOrigins: env.HUBBUB_ALLOWED_ORIGINS,
  metricsToken: env.HUBBUB_METRICS_TOKEN,
  maxConnectionsPerAddress: env.HUBBUB_MAX_CONNECTIONS_PER_ADDRESS,
  trustedProxies: env.HUBBUB_TRUSTED_PROXIES,
  webDir: env.HUBBUB_WEB_DIR ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
  logger,
  taskTimeoutMs: secondsToMs(env.HUBBUB_TASK_TIMEOUT_S),
  push: pushFromEnv(env),
  assistant: {
    model: env.HUBBUB_MODEL
      ? createOpenAICompatibleModel({
          baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
          apiKey: env.OPENAI_API_KEY,
          model: env.HUBBUB_MODEL,
        })
      : undefined,
    systemPrompt: env.HUBBUB_SYSTEM_PROMPT,
    maxOutputTokens: env.HUBBUB_MAX_TOKENS,
    offlineTokenIntervalMs: env.HUBBUB_OFFLINE_TOKEN_MS,
    maxConcurrent: env.HUBBUB_ASSISTANT_MAX_CONCURRENT,
    maxQueue: env.HUBBUB_ASSISTANT_MAX_QUEUE,
    dailyReplies: env.HUBBUB_ASSISTANT_DAILY_REPLIES,
  },
}).catch(cannotStart);

const port = await hubbub.listen(env.PORT, env.HOST).catch(cannotStart);
logger.info({ port, dataDir: env.HUBBUB_DATA_DIR, model: hubbub.deps.assistant.model.model }, 'hubbub listening');
console.log(`\n  Hubbub is running at http://localhost:${port}\n`);

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    hubbub.shutdown().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
