import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KeyedThrottle } from '@hubbub/core';
import type { Logger } from '../logger';
import { type ClientAddresses, normalizeAddress } from './client-address';

/**
 * Default open connections per client address. A browser holds at most 6
 * HTTP/1.1 connections to a host plus one WebSocket per tab, so a household or
 * office behind one NAT address with several people and tabs stays well under
 * it, while one address can no longer hold thousands of idle sockets (each
 * costs a file descriptor and tens of KB of memory).
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;

/** A socket opened past the cap that has not sent its request by then is closed. */
const REFUSED_GRACE_MS = 2000;
/** How long a refusal waits to be tried again, said in Retry-After (seconds). */
export const RETRY_AFTER_S = 5;

/** Open things per key, refusing the one past `max` (0 = no cap). Pure bookkeeping. */
export class PerKeyCounter {
  private readonly counts = new Map<string, number>();

  constructor(readonly max: number) {}

  tryAcquire(key: string): boolean {
    const open = this.counts.get(key) ?? 0;
    if (this.max > 0 && open >= this.max) return false;
    this.counts.set(key, open + 1);
    return true;
  }

  release(key: string): void {
    const open = (this.counts.get(key) ?? 0) - 1;
    if (open > 0) this.counts.set(key, open);
    else this.counts.delete(key);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

export interface ConnectionCap {
  /** The server's 'connection' listener: counts a TCP connection from an untrusted peer. */
  onConnection(socket: Socket): void;
  /** Whether this socket was opened past its address's cap (its request is answered 429). */
  isRefused(socket: Duplex): boolean;
  /** A WebSocket upgrade: through a trusted proxy it counts against the forwarded client address. */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
}

/**
 * The per-address cap on open connections. Direct peers are counted per TCP
 * connection; a trusted proxy carries many clients on its connections, so its
 * TCP connections are not counted, and its WebSocket upgrades (long-lived) count
 * against the client address it forwards.
 */
export function createConnectionCap(max: number, addresses: ClientAddresses, logger: Logger): ConnectionCap {
  const counter = new PerKeyCounter(max);
  const refused = new WeakSet<Duplex>();
  const logThrottle = new KeyedThrottle(10_000);
  const refuse = (socket: Duplex, address: string) => {
    refused.add(socket);
    if (logThrottle.pass(address, Date.now())) {
      logger.warn({ ip: address, max }, 'connection refused: too many open connections from one address');
    }
  };
  const hold = (socket: Duplex, key: string) => {
    socket.once('close', () => counter.release(key));
  };

  if (max <= 0) return { onConnection: () => {}, isRefused: () => false, admitUpgrade: () => true };
  return {
    onConnection(socket) {
      const peer = normalizeAddress(socket.remoteAddress);
      if (addresses.isTrustedProxy(peer)) return;
      if (counter.tryAcquire(peer)) return hold(socket, peer);
      refuse(socket, peer);
      // A client sends its request right after connecting; one that does not is not waited for.
      socket.setTimeout(REFUSED_GRACE_MS, () => socket.destroy());
    },
    isRefused: (socket) => refused.has(socket),
    admitUpgrade(req, socket) {
      if (refused.has(socket)) return false;
      if (!addresses.isTrustedProxy(normalizeAddress(req.socket.remoteAddress))) return true;
      const client = addresses.clientAddress(req);
      if (counter.tryAcquire(client)) {
        hold(socket, client);
        return true;
      }
      refuse(socket, client);
      return false;
    },
  };
}
