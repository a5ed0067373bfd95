/** What a file card says a file is, from its sniffed content type. */
export interface FileKind {
  key: 'image' | 'pdf' | 'archive' | 'audio' | 'video' | 'text' | 'file';
  /** Up to four letters on the card's icon. */
  label: string;
  name: string;
}

const KINDS: [RegExp, FileKind][] = [
  [/^image\//, { key: 'image', label: 'IMG', name: 'Image' }],
  [/^application\/pdf$/, { key: 'pdf', label: 'PDF', name: 'PDF document' }],
  [/zip|gzip|x-tar|x-7z|x-rar|x-bzip/, { key: 'archive', label: 'ZIP', name: 'Archive' }],
  [/^audio\//, { key: 'audio', label: 'AUD', name: 'Audio' }],
  [/^video\//, { key: 'video', label: 'VID', name: 'Video' }],
  [/^text\/|xml|json/, { key: 'text', label: 'TXT', name: 'Text' }],
];

export function kindOf(contentType: string): FileKind {
  return KINDS.find(([pattern]) => pattern.test(contentType))?.[1] ?? { key: 'file', label: 'FILE', name: 'File' };
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
