import { createLocalPresence } from './presence';
import { presenceContract } from './test/presence-contract';

// One process: the hub's local users are everyone.
presenceContract('Presence contract (local)', (bus, hub) =>
  createLocalPresence(bus, (channelId) => hub.online(channelId)),
);
