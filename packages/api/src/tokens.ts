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
  /** The claims of a valid token; throws UNAUTHORIZED with the reason otherwise. */
  verify(token: string): Promise<TokenClaims>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(userId, sessionId, notAfter) {
      const expiresAt = Math.min(Date.now() + ttlSeconds * 1000, notAfter);
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .setIssuer('hubbub')
        .sign(key);
      return { token, expiresAt: Math.floor(expiresAt / 1000) * 1000 };
    },
    async verify(token) {
      try {
        // A token without an expiry or a session would be valid forever and could not be ended.
        const { payload } = await jwtVerify(token, key, {
          issuer: 'hubbub',
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'sub', 'sid'],
        });
        if (!payload.sub || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
          throw new AppError('UNAUTHORIZED', 'invalid token');
        }
        return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp * 1000 };
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AppError('UNAUTHORIZED', 'token expired: log in again');
        throw new AppError('UNAUTHORIZED', 'invalid token');
      }
    },
  };
}
