export { handleKeepAlive } from '@trpc/server/adapters/ws';
export { applyWSSHandler, getWSConnectionHandler } from './adapter';
export { Broadcast, type BroadcastLeaver } from './broadcast';
export { CLOSE_TOO_SLOW, DEFAULT_WS_LIMITS, type WSSHandlerOptions, type WsLimits } from './options';
export { isPushStream, PUSH_STREAM, type PushEnd, type PushSink, type PushStream } from './push-stream';
export { type BroadcastFeed, PushSubscription } from './push-subscription';
