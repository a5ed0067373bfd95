import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** Agent keys look like `hb_<id>_<secret>`: the id finds the row, the secret is checked against its hash. */
export function generateApiKey(): { id: string; key: string; prefix: string; secretHash: string } {
  const id = randomUUID().replaceAll('-', '');
  const secret = randomBytes(24).toString('base64url');
  const key = `hb_${id}_${secret}`;
  return { id, key, prefix: key.slice(0, 11), secretHash: hashSecret(secret) };
}

export function isApiKey(token: string): boolean {
  return token.startsWith('hb_');
}

export function parseApiKey(token: string): { id: string; secret: string } | null {
  const match = /^hb_([0-9a-f]{32})_([\w-]{20,64})$/.exec(token);
  return match?.[1] && match[2] ? { id: match[1], secret: match[2] } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
