/**
 * What both tRPC adapter rows serve: a mutation that publishes, and a standard
 * tracked() generator subscription over `events.on()`. Both servers run this
 * same code, so the two rows differ in the WebSocket adapter alone.
 */
import { EventEmitter, on } from 'node:events';
import { initTRPC, tracked } from '@trpc/server';
import { WebSocketServer } from 'ws';
import { z } from 'zod';

type Message = { ts: number; body: string };

function createGeneratorRouter() {
  const ee = new EventEmitter();
  ee.setMaxListeners(0);
  let lastId = 0;
  const t = initTRPC.create();
  return t.router({
    send: t.procedure.input(z.object({ ts: z.number(), body: z.string() })).mutation(({ input }) => {
      // One id per event, the same for every subscriber (what a resumable stream's offset would be).
      ee.emit('message', String(++lastId), input);
      return true;
    }),
    onMessage: t.procedure.subscription(async function* ({ signal }) {
      for await (const [id, message] of on(ee, 'message', { signal })) {
        yield tracked(id as string, message as Message);
      }
    }),
  });
}

export type GeneratorRouter = ReturnType<typeof createGeneratorRouter>;

/** Serves the generator router on a fresh port through `applyWSSHandler` (stock or @hubbub/trpc-ws) and says READY. */
export function serveGeneratorRouter(
  applyWSSHandler: (opts: { wss: WebSocketServer; router: GeneratorRouter }) => unknown,
): void {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  applyWSSHandler({ wss, router: createGeneratorRouter() });
  wss.on('listening', () => {
    const address = wss.address();
    console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
  });
}
