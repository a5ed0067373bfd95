import { AppError } from '@hubbub/core';
import { errors, jwtVerify, SignJWT } from 'jose';

/** What a valid user token says: who, in which session, until when (ms epoch). */
export interface TokenClaims {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

export interface TokenService {
  /** A token for `userId` in `sessionId`, valid for the token lifetime but never past `notAfter` (ms epoch). */
  issue(userId: string, sessionId: string, notAfter: number): Promise<{ token: string; expiresAt: number }>;
  /**
   * The claims of a valid token; throws UNAUTHORIZED with the reason otherwise. Signature and claims only:
   * whether its session still lives is the caller's check (authenticate), made on every use.
   */
  verify(token: string): Promise<TokenClaims>;
}

/** Tokens whose signature was checked, remembered (a reconnect storm presents the same ones again and again). */
export const VERIFIED_TOKENS_KEPT = 4096;

const EXPIRED = 'token expired: log in again';

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  // Imported once: jose imports a raw secret into WebCrypto on every sign and verify otherwise.
  const key = crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT);
  return {
    async issue(userId, sessionId, notAfter) {
      const expiresAt = Math.min(Date.now() + ttlSeconds * 1000, notAfter);
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .setIssuer('hubbub')
        .sign(await key);
      return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (isExpired(known.expiresAt)) throw new AppError('UNAUTHORIZED', EXPIRED);
        return { ...known };
      }
      try {
        // A token without an expiry or a session would be valid forever and could not be ended.
        const { payload } = await jwtVerify(token, await key, {
          issuer: 'hubbub',
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'sub', 'sid'],
        });
        if (!payload.sub || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
          throw new AppError('UNAUTHORIZED', 'invalid token');
        }
        const claims = { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
        verified.add(token, claims);
        return { ...claims };
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AppError('UNAUTHORIZED', EXPIRED);
        throw new AppError('UNAUTHORIZED', 'invalid token');
      }
    },
  };
}

/** Expired as jose counts it: `exp` (whole seconds) at or before the current second. */
const isExpired = (expiresAt: number) => expiresAt <= Math.floor(Date.now() / 1000) * 1000;

/**
 * The claims of tokens whose signature and claims were checked, keyed by the exact token string (the same
 * bytes verify the same way), at most `max`, the least recently used going first. Only the signature check
 * is saved: expiry is checked on every use, and revocation is the session's, read on every use.
 */
class VerifiedTokens {
  private readonly claims = new Map<string, Readonly<TokenClaims>>();

  constructor(private readonly max: number) {}

  get(token: string): Readonly<TokenClaims> | undefined {
    const found = this.claims.get(token);
    if (found) {
      this.claims.delete(token);
      if (!isExpired(found.expiresAt)) this.claims.set(token, found);
    }
    return found;
  }

  add(token: string, claims: TokenClaims): void {
    this.claims.set(token, { ...claims });
    if (this.claims.size > this.max) this.claims.delete(this.claims.keys().next().value as string);
  }
}
