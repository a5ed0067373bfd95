import { AppError } from '@hubbub/core';
import { errors, jwtVerify, SignJWT } from 'jose';

export interface TokenService {
  issue(userId: string): Promise<string>;
  /** The user id in a valid token; throws UNAUTHORIZED with the reason otherwise. */
  verify(token: string): Promise<string>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    issue: (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .setIssuer('hubbub')
        .sign(key),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: 'hubbub', algorithms: ['HS256'] });
        if (!payload.sub) throw new AppError('UNAUTHORIZED', 'invalid token');
        return payload.sub;
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AppError('UNAUTHORIZED', 'token expired: log in again');
        throw new AppError('UNAUTHORIZED', 'invalid token');
      }
    },
  };
}
