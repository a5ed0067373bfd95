import './gc-on-signal';
/** Socket.IO rooms over the websocket transport. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', (room: string, ack?: () => void) => {
    socket.join(room);
    ack?.();
  });
  socket.on('publish', (room: string, message: unknown) => {
    io.to(room).emit('message', message);
  });
});
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
