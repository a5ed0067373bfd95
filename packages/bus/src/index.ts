export { ChannelHub, type ChannelHubOptions, type Deliver, type HubSubscription } from './channel-hub';
export { createMemoryBus } from './memory-bus';
export { createRedisBus, type RedisBus, type RedisBusErrorSource, type RedisBusOptions } from './redis-bus';
export { type EndReason, SubscriberQueue } from './subscriber-queue';
