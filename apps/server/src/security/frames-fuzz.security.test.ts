/**
 * Attack class: any frame at all, on a signed-in socket. Seeded fast-check
 * runs of tRPC-shaped messages with wrong types, unknown and real procedures,
 * odd ids and methods, batches, deep nesting, text that is not JSON and binary
 * frames. A frame may be answered with errors or end that one socket with a
 * proper close code; it may never end the process, hang a well-formed call,
 * or stop anyone else. After each batch a real client still chats.
 *
 * HUBBUB_FUZZ_SEED and HUBBUB_FUZZ_RUNS (per batch) widen a local run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { type RawSocket, rawSocket } from '../test/raw-socket';
import { type Chatter, startChatter } from './alive';

const SEED = Number(process.env.HUBBUB_FUZZ_SEED ?? 0xf4a3e5);
const RUNS = Number(process.env.HUBBUB_FUZZ_RUNS ?? 120);
const BATCHES = 3;
/** Close codes a frame may earn: policy/size/protocol errors, too slow, a bad token. Never 1011 (a crash). */
const ACCEPTABLE_CLOSES = new Set([1002, 1003, 1007, 1008, 1009, 4008, 4401]);

const PATHS = [
  'system.ping',
  'auth.me',
  'auth.login',
  'auth.refresh',
  'channel.list',
  'channel.onEvent',
  'channel.typing',
  'message.history',
  'message.send',
  'message.edit',
  'task.list',
  'task.onEvent',
  'task.claim',
  'apiKey.create',
  'no.such.thing',
  '__proto__',
  'constructor.prototype',
  '',
];

/** Values of every JSON type, nested a little, plus the shapes that tend to confuse parsers. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, '', '\u0000', '__proto__'),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('channelId', 'content', 'id', 'limit', 'cursor', '__proto__', 'x'), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

const id = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constantFrom(null, undefined, 1.5, -0, {}, []));
const method = fc.constantFrom('query', 'mutation', 'subscription', 'subscription.stop', 'connectionParams', 'x', '');
const call = fc.record(
  {
    id,
    jsonrpc: fc.constantFrom('2.0', undefined, 1),
    method,
    params: fc.oneof(
      fc.record(
        { path: fc.constantFrom(...PATHS), input: jsonish, lastEventId: fc.oneof(fc.string(), jsonish) },
        { requiredKeys: ['path'] },
      ),
      jsonish,
    ),
  },
  { requiredKeys: [] },
);

/** One frame: a call, a batch, deep nesting, garbage text, or bytes. */
const frame = fc.oneof(
  call.map((c) => JSON.stringify(c)),
  fc.array(call, { maxLength: 12 }).map((calls) => JSON.stringify(calls)),
  fc.nat({ max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.nat({ max: 5000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('PING', 'PONG', 'ping', '', 'null', '[]', '{}', '[null]', '{"id":1}', '{"method":"reconnect"}'),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

describe('fuzzing WebSocket frames', () => {
  let server: TestServer;
  let chatter: Chatter;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ maxPayloadBytes: 256 * 1024 });
    token = (await server.signup('fuzzer')).token;
    chatter = await startChatter(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh signed-in socket, with a record of how (and whether) it closed. */
  async function socket(): Promise<RawSocket & { closedWith: () => number | null }> {
    const raw = await rawSocket(`${server.wsUrl}?token=${token}`);
    let code: number | null = null;
    void raw.closed.then((c) => {
      code = c.code;
    });
    return Object.assign(raw, { closedWith: () => code });
  }

  for (let batch = 0; batch < BATCHES; batch++) {
    it(`batch ${batch + 1}: every frame is answered or closes only its own socket, properly`, async () => {
      let raw = await socket();
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
          if (raw.closedWith() !== null) raw = await socket();
          for (const f of frames) if (raw.ws.readyState === raw.ws.OPEN) raw.ws.send(f);
          // A well-formed call after the noise is answered (the socket still serves), unless the noise closed it.
          const probeId = `probe-${Math.random()}`;
          if (raw.ws.readyState === raw.ws.OPEN) {
            raw.ws.send(JSON.stringify({ id: probeId, method: 'query', params: { path: 'system.ping', input: null } }));
          }
          const answered = await Promise.race([
            raw.frame((f) => f.id === probeId, 10_000).then(() => true),
            raw.closed.then(() => false),
          ]);
          if (!answered) expect(ACCEPTABLE_CLOSES.has(raw.closedWith() ?? -1), `closed ${raw.closedWith()}`).toBe(true);
        }),
        { seed: SEED + batch, numRuns: RUNS, endOnFailure: true },
      );
      raw.ws.close();
      await chatter.expectAlive(`frame fuzz batch ${batch + 1}`);
    }, 120_000);
  }
});
