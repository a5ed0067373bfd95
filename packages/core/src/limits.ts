// Plain constants, no zod: the web app's first page reads them without loading the schemas.

/** Limits shared by the API, the stores and the web app. */
export const LIMITS = {
  handle: { min: 2, max: 32 },
  password: { min: 8, max: 200 },
  displayName: 120,
  slug: { min: 2, max: 40 },
  channelName: 80,
  topic: 300,
  message: 8000,
  clientId: 64,
  historyPage: 100,
  /** Calls in one HTTP batch request (the server refuses more; clients batch at most this many). */
  httpBatch: 20,
  /** Calls in one WebSocket frame. */
  wsBatch: 100,
  /** Subscriptions open at once on one connection. */
  subscriptionsPerConnection: 100,
} as const;
