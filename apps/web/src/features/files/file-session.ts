import { createContext, useContext } from 'react';
import type { SessionAccess } from '../auth/session-controller';

/**
 * The signed-in session, for the requests outside tRPC (uploads, file
 * downloads): the access token lives in memory only, so no cookie reaches
 * /api/files; each request carries it in the Authorization header.
 */
export const FileSessionContext = createContext<SessionAccess | null>(null);

export const useFileSession = (): SessionAccess | null => useContext(FileSessionContext);

/** The Authorization header of the moment (a token renewed first if it expired). */
export async function authorization(session: SessionAccess | null): Promise<Record<string, string>> {
  const token = await session?.freshToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}
