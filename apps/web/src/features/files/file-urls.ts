import { useEffect, useState } from 'react';
import type { SessionAccess } from '../auth/session-controller';
import { authorization, useFileSession } from './file-session';

/** Downloaded files kept as object URLs in this page; past this many the oldest is let go. */
const KEPT = 200;
const cache = new Map<string, Promise<string>>();

export const fileUrl = (id: string) => `/api/files/${encodeURIComponent(id)}`;
export const thumbnailUrl = (id: string) => `${fileUrl(id)}/thumbnail`;

/** Why a download failed, in the server's words when it gave some. */
async function failure(res: Response): Promise<Error> {
  const body = (await res.json().catch(() => null)) as { error?: string } | null;
  return new Error(body?.error ?? `the file could not be loaded (${res.status})`);
}

/**
 * A file's bytes as an object URL (an <img> cannot send the Authorization
 * header): fetched once per page, shared by every place that shows it.
 */
export function objectUrlOf(path: string, session: SessionAccess | null): Promise<string> {
  const known = cache.get(path);
  if (known) {
    // Most recently used last: the oldest goes first.
    cache.delete(path);
    cache.set(path, known);
    return known;
  }
  const loading = (async () => {
    const res = await fetch(path, { headers: await authorization(session) });
    if (!res.ok) throw await failure(res);
    return URL.createObjectURL(await res.blob());
  })();
  loading.catch(() => cache.delete(path));
  cache.set(path, loading);
  for (const [oldPath, oldest] of cache) {
    if (cache.size <= KEPT) break;
    cache.delete(oldPath);
    oldest.then(URL.revokeObjectURL, () => {});
  }
  return loading;
}

/** The object URL of `path` once loaded (null before, or without a path), or why it failed. */
export function useObjectUrl(path: string | null): { url: string | null; error: string | null } {
  const session = useFileSession();
  const [state, setState] = useState<{ path: string | null; url: string | null; error: string | null }>({
    path: null,
    url: null,
    error: null,
  });
  useEffect(() => {
    if (!path) return;
    let current = true;
    objectUrlOf(path, session).then(
      (url) => current && setState({ path, url, error: null }),
      (error: Error) => current && setState({ path, url: null, error: error.message }),
    );
    return () => {
      current = false;
    };
  }, [path, session]);
  return state.path === path ? { url: state.url, error: state.error } : { url: null, error: null };
}
