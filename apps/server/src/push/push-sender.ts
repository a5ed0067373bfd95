import http from 'node:http';
import https from 'node:https';
import type { PushSubscriptionRecord, VapidKeys } from '@hubbub/core';
import webpush from 'web-push';
import { type EndpointPolicy, endpointProblem } from './endpoint-policy';
import { safeLookup } from './safe-lookup';

export interface PushSenderOptions {
  vapid: VapidKeys & { subject: string };
  policy: EndpointPolicy;
  /** The whole request, connect to answer (default 10 s). */
  timeoutMs?: number;
  /** How long a push service keeps an undelivered message for a sleeping device (default 1 day). */
  ttlSeconds?: number;
}

/** What the push service said: delivered, gone for good (forget the subscription), or failed this time. */
export type PushOutcome = { kind: 'sent' } | { kind: 'gone'; status: number } | { kind: 'failed'; reason: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends one push: web-push encrypts the payload for the subscription
 * (RFC 8291, aes128gcm) and signs the VAPID JWT (RFC 8292); the request goes
 * out on our own socket, which checks the endpoint (endpoint-policy.ts) and
 * every address it resolves to, and is bounded in time.
 */
export function createPushSender(options: PushSenderOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lookup = safeLookup(options.policy);
  // Keep-alive: the few push services are called again and again.
  const agents = {
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16, lookup }),
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16, lookup }),
  };

  async function send(subscription: PushSubscriptionRecord, payload: string): Promise<PushOutcome> {
    const problem = endpointProblem(subscription.endpoint, options.policy);
    if (problem) return { kind: 'failed', reason: problem };
    const details = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      {
        vapidDetails: options.vapid,
        TTL: options.ttlSeconds ?? 24 * 3600,
        contentEncoding: 'aes128gcm',
        urgency: 'high',
      },
    );
    const status = await post(details.endpoint, details.headers, details.body);
    if (status === 404 || status === 410) return { kind: 'gone', status };
    if (status >= 200 && status < 300) return { kind: 'sent' };
    return { kind: 'failed', reason: `the push service answered ${status}` };
  }

  function post(endpoint: string, headers: Record<string, string | number>, body: Buffer): Promise<number> {
    const url = new URL(endpoint);
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers, agent, signal: AbortSignal.timeout(timeoutMs), timeout: timeoutMs },
        (res) => {
          // Only the status matters; the body is drained (not kept) so the socket can be reused.
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('the push service did not answer in time')));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    send,
    close() {
      agents['https:'].destroy();
      agents['http:'].destroy();
    },
  };
}

export type PushSender = ReturnType<typeof createPushSender>;
