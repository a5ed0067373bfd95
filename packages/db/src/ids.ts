import { randomFillSync } from 'node:crypto';

const bytes = Buffer.alloc(16);

/**
 * A new row id: a UUID version 7 (RFC 9562), the creation time in
 * milliseconds followed by 74 random bits. Ids minted later sort later, so a
 * new row lands on the last page of its primary-key index instead of a random
 * one: with random (v4) ids every message dirtied a page of its own, and the
 * WAL took three times the bytes per message.
 */
export function newId(now = Date.now()): string {
  randomFillSync(bytes);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
