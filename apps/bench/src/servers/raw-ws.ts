import './gc-on-signal';
/** The limit: a raw `ws` broadcast, each frame turned into bytes once and sent to every subscriber. */
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws, req) => {
  if (!req.url?.includes('publisher')) return;
  ws.on('message', (data) => {
    const frame = Buffer.from(data as Buffer);
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
    }
  });
});
wss.on('listening', () => {
  const address = wss.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
