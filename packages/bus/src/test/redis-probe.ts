import { Redis } from 'ioredis';

/**
 * Why Redis at `url` cannot be used (null when it answers). Redis tests skip
 * with this reason printed, never silently; the password is never printed.
 */
export async function redisUnreachable(url: string): Promise<string | null> {
  const probe = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  let cause: unknown;
  probe.on('error', (error) => {
    cause = error;
  });
  let reason: string | null = null;
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const why = cause ?? error; // 'Connection is closed' hides the ECONNREFUSED behind it.
    reason = why instanceof Error ? why.message : String(why);
  } finally {
    probe.disconnect();
  }
  if (reason) {
    const where = url.replace(/\/\/[^@/]*@/, '//***@');
    console.warn(`Skipping Redis tests: Redis at ${where} is unreachable (${reason}).`);
  }
  return reason;
}
