import type { IncomingMessage } from 'node:http';
import { AppError } from '@hubbub/core';

const tooLarge = (maxBytes: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `the file is too large: at most ${formatBytes(maxBytes)}`);

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/**
 * A request body of at most `maxBytes`, counted while it arrives: one byte
 * more and reading stops with PAYLOAD_TOO_LARGE (the answer should close the
 * connection). A declared Content-Length over the limit is refused before any
 * byte is read.
 */
export function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req, maxBytes);
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanUp();
      chunks.length = 0;
      discardRest(req, maxBytes);
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      cleanUp();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const onAborted = () => onError(new AppError('BAD_REQUEST', 'the upload was interrupted'));
    const cleanUp = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const discarding = new WeakSet<IncomingMessage>();

/**
 * Reads and drops what still arrives of a body that was refused, up to
 * `budget` bytes (as much as an accepted upload; past it the connection is
 * cut), so the client gets to read the refusal instead of a reset connection.
 */
export function discardRest(req: IncomingMessage, budget: number): void {
  if (discarding.has(req) || req.readableEnded) return;
  discarding.add(req);
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > budget) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}
