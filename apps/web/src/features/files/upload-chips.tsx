import { formatSize } from './file-kinds';
import type { Uploads } from './use-uploads';

/** The files attached to the message being written: progress while they upload, why one failed, and Remove. */
export function UploadChips({ uploads }: { uploads: Uploads }) {
  if (uploads.items.length === 0) return null;
  return (
    <ul className="upload-chips" aria-label="Attached files" data-testid="upload-chips">
      {uploads.items.map((item) => (
        <li key={item.key} className={`upload-chip ${item.status}`} data-testid="upload-chip" data-status={item.status}>
          {item.preview && <img src={item.preview} alt="" className="upload-chip-preview" />}
          <span className="upload-chip-text">
            <span className="upload-chip-name">{item.name}</span>
            {item.status === 'failed' ? (
              <span className="field-error" role="alert">
                {item.error}
              </span>
            ) : (
              <span className="muted small">
                {item.status === 'uploading' ? `${Math.round(item.progress * 100)}%` : formatSize(item.size)}
              </span>
            )}
          </span>
          {item.status === 'uploading' && (
            <progress max={1} value={item.progress} aria-label={`Uploading ${item.name}`} />
          )}
          <button
            type="button"
            className="icon-button"
            onClick={() => uploads.remove(item.key)}
            aria-label={`Remove ${item.name}`}
            title="Remove"
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
