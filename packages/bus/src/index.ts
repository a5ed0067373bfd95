export { ChannelHub, type ChannelHubOptions, type HubSubscription } from './channel-hub';
export { createMemoryBus } from './memory-bus';
export { type EndReason, SubscriberQueue } from './subscriber-queue';
