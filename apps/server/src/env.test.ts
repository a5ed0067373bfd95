import { DEFAULT_LIMITS } from '@hubbub/api';
import { describe, expect, it } from 'vitest';
import { resolveConfig, SERVER_DEFAULTS } from './config';
import { limitsFromEnv, readClusterEnv, readDemoEnv, readEnv, secondsToMs } from './env';
import { createLogger } from './logger';

const minimal = { dataDir: null, secret: 's'.repeat(32), tokenTtlSeconds: 60, allowedOrigins: [], webDir: '/nowhere' };

describe('configuration defaults, each resolved once', () => {
  it('an empty environment leaves the settings other modules own unset, and config.ts fills in the server’s', () => {
    const env = readEnv({});
    expect(env.HUBBUB_TASK_TIMEOUT_S).toBeUndefined();
    expect(env.HUBBUB_REDIS_PREFIX).toBeUndefined();
    expect(env.HUBBUB_PRESENCE_TTL_MS).toBeUndefined();
    expect(env.HUBBUB_MAX_CONNECTIONS_PER_ADDRESS).toBeUndefined();
    expect(limitsFromEnv(env)).toEqual(DEFAULT_LIMITS);
    const config = resolveConfig({
      ...minimal,
      logger: createLogger('silent'),
      redis: { url: 'redis://127.0.0.1:6379', prefix: env.HUBBUB_REDIS_PREFIX },
      taskTimeoutMs: secondsToMs(env.HUBBUB_TASK_TIMEOUT_S),
      maxConnectionsPerAddress: env.HUBBUB_MAX_CONNECTIONS_PER_ADDRESS,
    });
    expect(config).toMatchObject({
      redis: { prefix: SERVER_DEFAULTS.redisPrefix },
      taskTimeoutMs: SERVER_DEFAULTS.taskTimeoutMs,
      maxConnectionsPerAddress: SERVER_DEFAULTS.maxConnectionsPerAddress,
      signInTimeoutMs: SERVER_DEFAULTS.signInTimeoutMs,
      limits: DEFAULT_LIMITS,
    });
  });

  it('a set value wins, in the unit the environment gives it', () => {
    const env = readEnv({ HUBBUB_TASK_TIMEOUT_S: '2', HUBBUB_REDIS_PREFIX: 'blue' });
    const config = resolveConfig({
      ...minimal,
      logger: createLogger('silent'),
      redis: { url: 'redis://127.0.0.1:6379', prefix: env.HUBBUB_REDIS_PREFIX },
      taskTimeoutMs: secondsToMs(env.HUBBUB_TASK_TIMEOUT_S),
    });
    expect(config).toMatchObject({ redis: { prefix: 'blue' }, taskTimeoutMs: 2000 });
  });

  it('the demo and the cluster launcher read the same environment as the server', () => {
    expect(readDemoEnv({ PORT: '4000', HUBBUB_DATA_DIR: '/tmp/x' })).toMatchObject({
      HUBBUB_URL: 'http://localhost:4000',
      HUBBUB_DATA_DIR: '/tmp/x',
    });
    expect(readDemoEnv({ HUBBUB_URL: 'http://hub:8080' }).HUBBUB_URL).toBe('http://hub:8080');
    expect(readClusterEnv({})).toMatchObject({
      BASE_PORT: 3001,
      INSTANCES: 3,
      HUBBUB_DATA_DIR: './data',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hubbub',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(readClusterEnv({ DATABASE_URL: 'postgres://db/other', INSTANCES: '2' })).toMatchObject({
      DATABASE_URL: 'postgres://db/other',
      INSTANCES: 2,
    });
  });
});
