import type { HubbubClient } from '@hubbub/client';
import { expect } from 'vitest';
import type { TestServer } from '../test/harness';
import { recordChannel, type StreamRecorder } from '../test/stream';

export interface Chatter {
  /** Asserts /healthz answers and a message sent now reaches the live subscriber. */
  expectAlive(label: string): Promise<void>;
}

/** A signed-up client subscribed to #general: the "everyone else carries on" check after an attack. */
export async function startChatter(server: TestServer, handle = 'bystander'): Promise<Chatter> {
  const { token } = await server.signup(handle);
  const client: HubbubClient = server.client(token);
  const general = (await client.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no #general');
  const live: StreamRecorder = recordChannel(client, general.id);
  await live.until((events) => events.some((e) => e.data.type === 'presence'));
  return {
    async expectAlive(label) {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      const content = `still chatting after ${label}`;
      await client.api.message.send.mutate({ channelId: general.id, content });
      await live.until((events) =>
        events.some(
          (e) => e.data.type === 'message.created' && (e.data.message as { content: string }).content === content,
        ),
      );
    },
  };
}
