export { type BusListener, ChannelHub, type ChannelHubOptions, type Deliver } from './channel-hub';
export { createMemoryBus } from './memory-bus';
export { createLocalPresence, type Presence } from './presence';
export {
  createMemoryRateLimiter,
  createMemoryRateLimiters,
  createRedisRateLimiters,
  type RateLimiters,
  type RateRule,
} from './rate-limiter';
export { createRedisBus, type RedisBus, type RedisBusErrorSource, type RedisBusOptions } from './redis-bus';
export { type ClusterRegistry, createRedisCluster, type InstanceInfo } from './redis-cluster';
export { createRedisPresence, type RedisPresenceOptions } from './redis-presence';
export { type EndReason, SubscriberQueue } from './subscriber-queue';
