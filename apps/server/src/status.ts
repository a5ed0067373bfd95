import { readFileSync } from 'node:fs';
import type { SystemStatus } from '@hubbub/api';
import type { InstanceInfo } from '@hubbub/bus';
import type { WebSocketServer } from 'ws';
import type { Backends } from './backends';

export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** This process as the other instances of a cluster list it. */
export function instanceInfo(instance: string, startedAt: number, wss: WebSocketServer): () => InstanceInfo {
  return () => ({
    instance,
    version: VERSION,
    connections: wss.clients.size,
    startedAt: new Date(startedAt).toISOString(),
  });
}

/** What `system.status`, /api/status and /metrics report: this process, its hub, and the instances it sees. */
export function createStatus(options: {
  instance: string;
  startedAt: number;
  wss: WebSocketServer;
  backends: Backends;
}): () => Promise<SystemStatus> {
  const { instance, startedAt, wss, backends } = options;
  const { hub, stores, bus, cluster } = backends;
  return async () => ({
    version: VERSION,
    instance,
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    connections: wss.clients.size,
    subscriptions: hub.stats.subscriptions,
    channels: hub.stats.channels,
    store: stores.kind,
    bus: bus.kind,
    instances: cluster ? await cluster.instances().catch(() => []) : [{ instance, connections: wss.clients.size }],
  });
}
