/**
 * Attack: learning what exists by how the server answers. A private channel
 * (and every message in it) answers an outsider exactly like an id that never
 * existed; a login answers the same for a wrong password, an unknown handle and
 * an API key's identity (which has no password), after the same work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

/** An error as an outsider sees it: status-free tRPC code and message. */
const answerOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: { message: string; data?: { code?: string } }) => `${error.data?.code}: ${error.message}`,
  );

describe('ids reveal nothing', () => {
  it('answers a private channel and its messages exactly like ids that never existed', async () => {
    server = await startTestServer();
    const owner = server.client((await server.signup('alice')).token).api;
    const outsider = server.client((await server.signup('mallory')).token).api;
    const secret = await owner.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const message = await owner.message.send.mutate({ channelId: secret.id, content: 'between us' });

    const probes = (channelId: string, messageId: string) =>
      Promise.all([
        answerOf(outsider.message.history.query({ channelId })),
        answerOf(outsider.message.send.mutate({ channelId, content: 'hello?' })),
        answerOf(outsider.channel.join.mutate({ channelId })),
        answerOf(outsider.channel.members.query({ channelId })),
        answerOf(outsider.channel.typing.mutate({ channelId })),
        answerOf(outsider.message.edit.mutate({ messageId, content: 'mine now' })),
        answerOf(outsider.message.delete.mutate({ messageId })),
        answerOf(outsider.message.cancel.mutate({ messageId })),
        answerOf(outsider.message.retry.mutate({ messageId })),
      ]);
    const real = await probes(secret.id, message.id);
    const madeUp = await probes('0190a0a0-0000-7000-8000-000000000000', '0190a0a0-0000-7000-8000-000000000001');
    expect(real).toEqual(madeUp);
    expect(real[0]).toBe('NOT_FOUND: channel not found');
    expect(real[5]).toBe('NOT_FOUND: message not found');
    // And the message is untouched.
    expect((await owner.message.history.query({ channelId: secret.id })).items[0]?.content).toBe('between us');
  });
});

describe('logins reveal nothing', () => {
  it('answers the same for a wrong password, an unknown handle and an API key identity', async () => {
    server = await startTestServer();
    const admin = server.client((await server.signup('alice')).token).api;
    await admin.apiKey.create.mutate({ name: 'builder', role: 'agent' });
    const anonymous = server.client().api;
    const answers = await Promise.all(
      ['alice', 'nobody-here', 'builder'].map((handle) =>
        answerOf(anonymous.auth.login.mutate({ handle, password: 'some guess at it' })),
      ),
    );
    expect(new Set(answers)).toEqual(new Set(['UNAUTHORIZED: wrong handle or password']));
  });
});
