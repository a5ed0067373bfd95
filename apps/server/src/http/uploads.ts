import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertCanUpload, blobKeysOf, createHttpContext, thumbnailKey } from '@hubbub/api';
import { AppError, ATTACHMENT_LIMITS, type Attachment, type User, ZId } from '@hubbub/core';
import type { App } from '../compose';
import { imageFacts } from '../files/image-facts';
import { isInlineImage, sniffContentType } from '../files/sniff';
import { answerAppError } from './error-response';
import { discardRest, readBounded } from './read-bounded';
import { json } from './respond';

/** Who an /api/files request speaks for: its bearer token (a user token or an API key); UNAUTHORIZED otherwise. */
export async function fileRequestUser(app: App, req: IncomingMessage, what: string): Promise<User> {
  const ctx = await createHttpContext(app.deps, req, { address: app.addresses.clientAddress(req) });
  if (!ctx.user) throw new AppError('UNAUTHORIZED', ctx.authError ?? `sign in to ${what}`);
  return ctx.user;
}

/**
 * The uploader's name for a file (`x-filename`, percent-encoded: headers are
 * Latin-1): its last path segment, without control characters, cut to length.
 * Only ever shown, never used as a path.
 */
export function uploadName(header: string | string[] | undefined): string {
  let name = typeof header === 'string' ? header : '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // Not percent-encoded after all: keep it as sent.
  }
  const base = (name.split(/[/\\]/).pop() ?? '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  return [...(base || 'file')].slice(0, ATTACHMENT_LIMITS.name).join('');
}

/**
 * GET /api/files: the upload limits. POST /api/files?channelId=…: the file as the raw body, its name in
 * `x-filename`. A member of the (not archived) channel, within their upload
 * budget; the body is counted as it arrives and refused (413) past the limit.
 * Answers the pending attachment, for message.send's attachmentIds.
 */
export function createUploadHandler(app: App): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { deps, config } = app;
  return async (req, res) => {
    // GET: the limits, so a client can refuse a file too large before sending a byte of it.
    if (req.method === 'GET') {
      return json(res, 200, { maxBytes: config.maxUploadBytes, perMessage: ATTACHMENT_LIMITS.perMessage });
    }
    if (req.method !== 'POST') return json(res, 405, { error: 'upload with POST' }, { allow: 'GET, POST' });
    let bodyUnread = true;
    try {
      const user = await fileRequestUser(app, req, 'upload files');
      const channelId = ZId.safeParse(new URL(req.url ?? '/', 'http://hubbub').searchParams.get('channelId'));
      if (!channelId.success) throw new AppError('BAD_REQUEST', 'say which channel the file is for: ?channelId=…');
      await assertCanUpload({ deps, user }, channelId.data);
      const bytes = await readBounded(req, config.maxUploadBytes);
      bodyUnread = false;
      if (bytes.length === 0) throw new AppError('BAD_REQUEST', 'the file is empty');
      const file = await storeUpload(app, {
        bytes,
        name: uploadName(req.headers['x-filename']),
        channelId: channelId.data,
        user,
      });
      json(res, 201, file);
    } catch (error) {
      // Refused before (or while) its body was read: drop the rest, then close.
      if (bodyUnread) discardRest(req, config.maxUploadBytes);
      answerAppError(res, error, bodyUnread);
    }
  };
}

/** Sniffs, measures and thumbnails the bytes, stores them, then records the pending upload. */
async function storeUpload(
  { deps }: App,
  upload: { bytes: Buffer; name: string; channelId: string; user: User },
): Promise<Attachment> {
  let contentType = await sniffContentType(upload.bytes);
  const image = isInlineImage(contentType) ? await imageFacts(upload.bytes) : null;
  // Claims to be an image but does not decode: kept, as a file nobody's browser renders.
  if (isInlineImage(contentType) && !image) contentType = 'application/octet-stream';
  // Random (v4) rather than time-ordered: a file's id is all that names it in a URL.
  const id = randomUUID();
  const file: Attachment = {
    id,
    name: upload.name,
    contentType,
    size: upload.bytes.length,
    ...(image ? { width: image.width, height: image.height, thumbnail: true } : {}),
  };
  await deps.stores.blobs.put(id, upload.bytes);
  if (image) await deps.stores.blobs.put(thumbnailKey(id), image.thumbnail);
  try {
    await deps.stores.attachments.create({ ...file, channelId: upload.channelId, uploaderId: upload.user.id });
  } catch (error) {
    await deps.stores.blobs.delete(blobKeysOf(file));
    throw error;
  }
  return file;
}
