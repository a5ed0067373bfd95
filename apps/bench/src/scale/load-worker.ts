/**
 * One load process of `pnpm bench:scale` (a process holds at most 20,000 file descriptors, so the load is
 * spread over several). It opens its share of subscribed connections when told, counts the deliveries
 * that follow, and answers the coordinator over IPC (messages in scale/ipc.ts). Its connections are
 * lean sockets (lean-socket.ts), so the rate measured is the server's, not the load client's.
 */
import { stampIn } from '../protocols';
import type { ToCoordinator, ToWorker } from './ipc';
import { type LeanSocket, openLeanSocket } from './lean-socket';

const sockets: LeanSocket[] = [];
let delivered = 0;
const reply = (message: ToCoordinator) => process.send?.(message);
const clock = () => performance.timeOrigin + performance.now();

/** Opens one connection, sends its subscribe frames, resolves once the subscription is confirmed. */
function subscribeOne(url: string, frames: string[], confirm: string | null, localAddress: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let subscribed = confirm === null;
    let socket: LeanSocket | null = null;
    const onMessage = (data: Buffer) => {
      if (stampIn(data) !== null) {
        delivered++;
        return;
      }
      // tRPC's keep-alive: a socket that does not answer its PING is closed as dead.
      if (data.length === 4 && data.toString() === 'PING') {
        socket?.send('PONG');
        return;
      }
      if (!subscribed && confirm !== null && data.includes(confirm)) {
        subscribed = true;
        resolve();
      }
    };
    const onClose = (code: number | null) => {
      if (!subscribed) reject(new Error(`closed ${code} before subscribed`));
    };
    openLeanSocket(url, { localAddress, onMessage, onClose }).then((open) => {
      socket = open;
      sockets.push(open);
      for (const frame of frames) open.send(frame);
      if (subscribed) resolve();
    }, reject);
  });
}

/** Opens `urls.length` subscribed connections, `inFlight` at a time. */
async function connectAll(message: Extract<ToWorker, { type: 'connect' }>): Promise<void> {
  const { urls, frames, confirm, inFlight, localAddress } = message;
  let next = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  let failed = 0;
  let firstError: string | null = null;
  const startedAt = clock();
  const lane = async () => {
    while (next < urls.length) {
      const url = urls[next++] as string;
      try {
        await subscribeOne(url, frames, confirm, localAddress);
        const at = clock();
        if (Number.isNaN(first)) first = at;
        last = at;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, urls.length) }, lane));
  reply({ type: 'connected', startedAt, first, last, subscribed: urls.length - failed, failed, firstError });
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'connect') void connectAll(message);
  else if (message.type === 'count') reply({ type: 'count', delivered });
  else if (message.type === 'close') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
reply({ type: 'ready' });
