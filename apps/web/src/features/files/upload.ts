import type { Attachment } from '@hubbub/core';

/** What the server takes (GET /api/files), asked once per page. */
let limits: Promise<{ maxBytes: number }> | null = null;
export function uploadLimits(): Promise<{ maxBytes: number }> {
  limits ??= fetch('/api/files').then(
    (res) => (res.ok ? (res.json() as Promise<{ maxBytes: number }>) : { maxBytes: Number.POSITIVE_INFINITY }),
    () => {
      limits = null;
      return { maxBytes: Number.POSITIVE_INFINITY };
    },
  );
  return limits;
}

export interface UploadHandle {
  done: Promise<Attachment>;
  abort(): void;
}

/** The server's refusal in its own words ("the file is too large: at most 10 MB"), or a plain one. */
function refusal(xhr: XMLHttpRequest): Error {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: string };
    if (body.error) return new Error(body.error);
  } catch {
    // Not JSON: fall through to the status.
  }
  if (xhr.status === 413) return new Error('the file is too large');
  return new Error(xhr.status === 0 ? 'the upload failed: check your connection' : `the upload failed (${xhr.status})`);
}

/**
 * Uploads one file to a channel (POST /api/files, the raw bytes): an
 * XMLHttpRequest, because fetch reports no upload progress. `onProgress` gets
 * the fraction sent (0..1). The answer is the pending attachment.
 */
export function startUpload(input: {
  file: Blob;
  name: string;
  channelId: string;
  headers: Record<string, string>;
  onProgress(fraction: number): void;
}): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', `/api/files?channelId=${encodeURIComponent(input.channelId)}`);
    for (const [name, value] of Object.entries(input.headers)) xhr.setRequestHeader(name, value);
    // Headers are Latin-1: the name travels percent-encoded.
    xhr.setRequestHeader('x-filename', encodeURIComponent(input.name));
    xhr.upload.onprogress = (e) => e.lengthComputable && input.onProgress(e.loaded / e.total);
    xhr.onload = () =>
      xhr.status === 201 ? resolve(JSON.parse(xhr.responseText) as Attachment) : reject(refusal(xhr));
    xhr.onerror = () => reject(refusal(xhr));
    xhr.onabort = () => reject(new Error('cancelled'));
    xhr.send(input.file);
  });
  return { done, abort: () => xhr.abort() };
}
