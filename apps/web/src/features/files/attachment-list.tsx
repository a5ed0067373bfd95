import type { Attachment } from '@hubbub/core';
import { useEffect, useRef, useState } from 'react';
import { formatSize, kindOf } from './file-kinds';
import { useFileSession } from './file-session';
import { fileUrl, objectUrlOf, thumbnailUrl, useObjectUrl } from './file-urls';

/** Shown at most this wide (the thumbnail has twice the pixels, for sharp screens). */
const THUMB_MAX = 320;

/** A message's files: pictures inline (a click opens them full size), the others as download cards. */
export function AttachmentList({ files }: { files: readonly Attachment[] }) {
  return (
    <ul className="attachments" data-testid="attachments">
      {files.map((file) => (
        <li key={file.id}>{file.thumbnail ? <ImageAttachment file={file} /> : <FileCard file={file} />}</li>
      ))}
    </ul>
  );
}

/** The box an image takes before it loads, so the conversation does not jump. */
function thumbSize(file: Attachment): { width: number; height: number } | undefined {
  if (!file.width || !file.height) return undefined;
  const scale = Math.min(1, THUMB_MAX / file.width, THUMB_MAX / file.height);
  return { width: Math.round(file.width * scale), height: Math.round(file.height * scale) };
}

function ImageAttachment({ file }: { file: Attachment }) {
  const { url, error } = useObjectUrl(thumbnailUrl(file.id));
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="attachment-image"
        style={thumbSize(file)}
        onClick={() => setOpen(true)}
        aria-label={`Open ${file.name}`}
        title={file.name}
      >
        {url ? (
          <img src={url} alt={file.name} data-testid="attachment-image" />
        ) : (
          <span className="muted small">{error ?? 'Loading…'}</span>
        )}
      </button>
      {open && <ImageViewer file={file} onClose={() => setOpen(false)} />}
    </>
  );
}

/** The full-size picture over the page; Escape or a click closes it. */
function ImageViewer({ file, onClose }: { file: Attachment; onClose(): void }) {
  const { url, error } = useObjectUrl(fileUrl(file.id));
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes the dialog (its cancel event)
    <dialog
      ref={dialog}
      className="image-viewer"
      onClose={onClose}
      onClick={onClose}
      aria-label={file.name}
      data-testid="image-viewer"
    >
      {url ? <img src={url} alt={file.name} /> : <p>{error ?? 'Loading…'}</p>}
      <p className="image-viewer-caption">
        {file.name} · {file.width}×{file.height} · {formatSize(file.size)}
      </p>
    </dialog>
  );
}

/** A file that is not shown inline: its name, size and kind; a click downloads it. */
function FileCard({ file }: { file: Attachment }) {
  const session = useFileSession();
  const [error, setError] = useState<string | null>(null);
  const kind = kindOf(file.contentType);
  const download = async () => {
    setError(null);
    try {
      const url = await objectUrlOf(fileUrl(file.id), session);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.name;
      link.click();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <button
      type="button"
      className="file-card"
      onClick={download}
      title={`Download ${file.name}`}
      data-testid="file-card"
    >
      <span className={`file-icon file-${kind.key}`} aria-hidden="true">
        {kind.label}
      </span>
      <span className="file-card-text">
        <strong>{file.name}</strong>
        <span className="muted small">{error ?? `${formatSize(file.size)} · ${kind.name}`}</span>
      </span>
    </button>
  );
}
