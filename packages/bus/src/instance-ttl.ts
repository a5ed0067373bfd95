/**
 * How long an instance that stops refreshing (killed, cut off from Redis) still
 * counts: then its users drop out of presence and it leaves the cluster list.
 */
export const DEFAULT_INSTANCE_TTL_MS = 15_000;
