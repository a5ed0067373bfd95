export { handleKeepAlive } from '@trpc/server/adapters/ws';
export {
  applyWSSHandler,
  CLOSE_TOO_SLOW,
  DEFAULT_WS_LIMITS,
  getWSConnectionHandler,
  type WSSHandlerOptions,
  type WsLimits,
} from './adapter';
export { isPushStream, PUSH_STREAM, type PushEnd, type PushSink, type PushStream } from './push-stream';
