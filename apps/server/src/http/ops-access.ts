import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who may read /metrics and /api/status (host name, pid, load): named outcomes. */
export type OpsAccess = { kind: 'allowed'; via: 'metrics-token' | 'admin' } | { kind: 'denied'; reason: string };

export interface OpsAccessOptions {
  /** HUBBUB_METRICS_TOKEN: a scraper's bearer token; unset = admins only. */
  metricsToken?: string;
  /** Whether this request carries an admin's token (a session or an API key). */
  isAdmin(req: IncomingMessage): Promise<boolean>;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

function bearer(header: string | undefined): string | null {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
}

/** The operator endpoints open to the metrics token (compared in constant time) or an admin's token. */
export function createOpsAccess(options: OpsAccessOptions): (req: IncomingMessage) => Promise<OpsAccess> {
  const expected = options.metricsToken ? digest(options.metricsToken) : null;
  return async (req) => {
    const token = bearer(req.headers.authorization);
    if (!token) return { kind: 'denied', reason: 'send the metrics token or an admin token as Authorization: Bearer' };
    if (expected && timingSafeEqual(digest(token), expected)) return { kind: 'allowed', via: 'metrics-token' };
    if (await options.isAdmin(req)) return { kind: 'allowed', via: 'admin' };
    return { kind: 'denied', reason: 'this token may not read operator data' };
  };
}
