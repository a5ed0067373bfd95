import { afterEach, describe, expect, it, vi } from 'vitest';
import webpush from 'web-push';
import { pushFromEnv, readEnv } from '../env';
import { startTestServer, type TestServer } from '../test/harness';

/** readEnv's refusal: it prints the problems and exits; here the exit throws instead. */
function refusalOf(source: NodeJS.ProcessEnv): string {
  const printed: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line));
  vi.spyOn(process, 'exit').mockImplementation(() => {
    throw new Error('exit');
  });
  expect(() => readEnv(source)).toThrow('exit');
  return printed.join('\n');
}

let server: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.stop();
  server = undefined;
});

describe('Web Push settings from the environment', () => {
  it('takes a VAPID pair and a subject, and the server signs with that pair instead of making one', async () => {
    const keys = webpush.generateVAPIDKeys();
    const env = readEnv({
      HUBBUB_VAPID_PUBLIC_KEY: keys.publicKey,
      HUBBUB_VAPID_PRIVATE_KEY: keys.privateKey,
      HUBBUB_VAPID_SUBJECT: 'mailto:ops@example.com',
    });
    const push = pushFromEnv(env);
    expect(push).toEqual({ vapidKeys: keys, subject: 'mailto:ops@example.com' });
    expect(pushFromEnv(readEnv({}))).toEqual({});

    server = await startTestServer({ push });
    expect(server.hubbub.deps.push.vapidPublicKey).toBe(keys.publicKey);
  });

  it('refuses half a pair, keys of the wrong size and a subject that is not a mailto: or https: URL', () => {
    const { publicKey, privateKey } = webpush.generateVAPIDKeys();
    expect(refusalOf({ HUBBUB_VAPID_PUBLIC_KEY: publicKey })).toContain(
      'set both HUBBUB_VAPID_PUBLIC_KEY and HUBBUB_VAPID_PRIVATE_KEY, or neither',
    );
    expect(refusalOf({ HUBBUB_VAPID_PUBLIC_KEY: privateKey, HUBBUB_VAPID_PRIVATE_KEY: privateKey })).toContain(
      'HUBBUB_VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)',
    );
    expect(refusalOf({ HUBBUB_VAPID_PUBLIC_KEY: publicKey, HUBBUB_VAPID_PRIVATE_KEY: publicKey })).toContain(
      'HUBBUB_VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)',
    );
    expect(refusalOf({ HUBBUB_VAPID_SUBJECT: 'ops@example.com' })).toContain(
      'HUBBUB_VAPID_SUBJECT must be a mailto: or https: URL',
    );
  });
});
