import { ATTACHMENT_LIMITS, type Attachment } from '@hubbub/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { formatSize } from './file-kinds';
import { authorization, useFileSession } from './file-session';
import { startUpload, type UploadHandle, uploadLimits } from './upload';

/** A file being attached to the message being written. */
export interface UploadItem {
  key: string;
  name: string;
  size: number;
  /** Fraction sent, 0..1. */
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  /** The stored upload, once done. */
  file?: Attachment;
  error?: string;
  /** A local preview of an image (an object URL of the picked file). */
  preview?: string;
}

export interface Uploads {
  items: UploadItem[];
  /** Starts uploading these files (beyond ATTACHMENT_LIMITS.perMessage, the rest are refused with a reason). */
  add(files: readonly File[]): void;
  remove(key: string): void;
  /** After a send: the chips go (the message has the files). */
  clear(): void;
  /** The uploads done, ready to send. */
  ready: Attachment[];
  busy: boolean;
}

let counter = 0;
/** A pasted screenshot is called "image.png" by every browser: give it a name that tells it apart. */
function nameOf(file: File): string {
  if (file.name && file.name !== 'image.png') return file.name;
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return `Pasted image ${stamp}.png`;
}

/** The files attached to the message being written in a channel: uploaded at once, sent with the message. */
export function useUploads(channelId: string): Uploads {
  const session = useFileSession();
  const [items, setItems] = useState<UploadItem[]>([]);
  const handles = useRef(new Map<string, UploadHandle>());

  const update = useCallback((key: string, patch: Partial<UploadItem>) => {
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...patch } : item)));
  }, []);

  const drop = useCallback((list: UploadItem[]) => {
    for (const item of list) {
      handles.current.get(item.key)?.abort();
      handles.current.delete(item.key);
      if (item.preview) URL.revokeObjectURL(item.preview);
    }
  }, []);

  // The list as last rendered: what add/remove/clear start or stop happens outside the state updates.
  const current = useRef(items);
  current.current = items;

  const begin = useCallback(
    (file: File, item: UploadItem) => {
      void Promise.all([authorization(session), uploadLimits()]).then(([headers, { maxBytes }]) => {
        // Refused here, before a byte is sent (the server refuses it too, but a browser may only see a cut connection).
        if (file.size > maxBytes) {
          update(item.key, { status: 'failed', error: `the file is too large: at most ${formatSize(maxBytes)}` });
          return;
        }
        const handle = startUpload({
          file,
          name: item.name,
          channelId,
          headers,
          onProgress: (progress) => update(item.key, { progress }),
        });
        handles.current.set(item.key, handle);
        handle.done.then(
          (stored) => update(item.key, { status: 'done', progress: 1, file: stored }),
          (error: Error) =>
            error.message !== 'cancelled' && update(item.key, { status: 'failed', error: error.message }),
        );
      });
    },
    [channelId, session, update],
  );

  const add = useCallback(
    (files: readonly File[]) => {
      const room = ATTACHMENT_LIMITS.perMessage - current.current.length;
      const added = files.map((file, i): UploadItem => {
        const base = { key: `upload-${++counter}`, name: nameOf(file), size: file.size, progress: 0 };
        if (i >= room) {
          return { ...base, status: 'failed', error: `at most ${ATTACHMENT_LIMITS.perMessage} files a message` };
        }
        const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
        const item: UploadItem = { ...base, status: 'uploading', ...(preview ? { preview } : {}) };
        begin(file, item);
        return item;
      });
      setItems((list) => [...list, ...added]);
    },
    [begin],
  );

  const remove = useCallback(
    (key: string) => {
      drop(current.current.filter((item) => item.key === key));
      setItems((list) => list.filter((item) => item.key !== key));
    },
    [drop],
  );

  const clear = useCallback(() => {
    drop(current.current);
    setItems([]);
  }, [drop]);

  // Another channel, another message: what was attached here is let go.
  useEffect(() => clear, [channelId, clear]);

  return useMemo(
    () => ({
      items,
      add,
      remove,
      clear,
      ready: items.flatMap((item) => (item.status === 'done' && item.file ? [item.file] : [])),
      busy: items.some((item) => item.status === 'uploading'),
    }),
    [items, add, remove, clear],
  );
}
