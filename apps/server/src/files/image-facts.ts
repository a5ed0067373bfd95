import sharp from 'sharp';

/** The longest side of a thumbnail, in pixels (shown at most 320 CSS pixels wide, sharp on 2x screens up to there). */
export const THUMBNAIL_SIZE = 640;

/** Pixels an uploaded image may have: a small file that decodes to gigapixels (a bomb) is refused. */
const MAX_INPUT_PIXELS = 50_000_000;

export interface ImageFacts {
  width: number;
  height: number;
  /** A WebP at most THUMBNAIL_SIZE on its longest side, turned upright. */
  thumbnail: Buffer;
}

/**
 * An image's upright pixel size and a thumbnail, with libvips (sharp); null
 * when the bytes do not decode as the image they claim to be (then the upload
 * is kept as a plain file, never shown inline).
 */
export async function imageFacts(bytes: Buffer): Promise<ImageFacts | null> {
  try {
    const image = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });
    const meta = await image.metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) return null;
    const thumbnail = await image
      .rotate()
      .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    return { width, height, thumbnail };
  } catch {
    return null;
  }
}
