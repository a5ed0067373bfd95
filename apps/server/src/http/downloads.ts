import type { IncomingMessage, ServerResponse } from 'node:http';
import { readableFile, thumbnailKey } from '@hubbub/api';
import { AppError, notFound, type StoredAttachment } from '@hubbub/core';
import type { App } from '../compose';
import { isInlineImage } from '../files/sniff';
import { answerAppError } from './error-response';
import { json } from './respond';
import { fileRequestUser } from './uploads';

const FILE_PATH = /^\/api\/files\/([A-Za-z0-9-]{1,64})(\/thumbnail)?$/;

/** Nothing in a served file may run, load or frame anything, even when opened on its own. */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/** `filename` for old agents (ASCII, quotes and backslashes replaced) and `filename*` (RFC 8187) for the real name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The headers a file goes out with: only a safe raster image inline; never sniffed, never cached for others. */
export function fileHeaders(file: StoredAttachment, thumbnail: boolean, length: number): Record<string, string> {
  const inline = thumbnail || isInlineImage(file.contentType);
  return {
    'content-type': thumbnail ? 'image/webp' : file.contentType,
    'content-length': String(length),
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', file.name),
    'x-content-type-options': 'nosniff',
    'content-security-policy': FILE_CSP,
    // The bytes of an id never change, but access can: the browser asks again each time (cheap with the ETag).
    'cache-control': 'private, no-cache',
    etag: `"${thumbnail ? thumbnailKey(file.id) : file.id}"`,
    'cross-origin-resource-policy': 'same-origin',
  };
}

/**
 * GET /api/files/<id> and /api/files/<id>/thumbnail: for whoever may read the
 * file's channel at this moment (an unsent upload: its uploader only); to
 * anyone else 404, like an id that does not exist.
 */
export function createDownloadHandler(
  app: App,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const { deps } = app;
  return async (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
    try {
      const match = FILE_PATH.exec(path);
      if (!match?.[1]) throw notFound('file');
      const user = await fileRequestUser(app, req, 'download files');
      const file = await readableFile({ deps, user }, match[1]);
      const thumbnail = Boolean(match[2]);
      if (thumbnail && !file.thumbnail) throw notFound('thumbnail');
      const key = thumbnail ? thumbnailKey(file.id) : file.id;
      if (req.headers['if-none-match'] === `"${key}"`) {
        res.writeHead(304, { etag: `"${key}"`, 'cache-control': 'private, no-cache' }).end();
        return;
      }
      const bytes = await deps.stores.blobs.get(key);
      if (!bytes) throw new AppError('NOT_FOUND', 'file not found: its bytes are gone');
      res.writeHead(200, fileHeaders(file, thumbnail, bytes.length)).end(req.method === 'HEAD' ? undefined : bytes);
    } catch (error) {
      answerAppError(res, error);
    }
  };
}
