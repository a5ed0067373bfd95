import './gc-on-signal';
/** The stock tRPC WebSocket adapter with an `events.on()` generator subscription. */
import { EventEmitter, on } from 'node:events';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';

const ee = new EventEmitter();
ee.setMaxListeners(0);
const t = initTRPC.create();
const router = t.router({
  send: t.procedure.input(z.object({ ts: z.number(), body: z.string() })).mutation(({ input }) => {
    ee.emit('message', input);
    return true;
  }),
  onMessage: t.procedure.subscription(async function* ({ signal }) {
    for await (const [message] of on(ee, 'message', { signal })) yield message as { ts: number; body: string };
  }),
});

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
applyWSSHandler({ wss, router });
wss.on('listening', () => {
  const address = wss.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
