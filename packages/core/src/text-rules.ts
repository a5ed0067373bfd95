/**
 * Rules for text that people see as someone's name or as a message: pure
 * functions, so the schemas, the stores and the web app agree.
 */

/**
 * Characters that draw nothing: spaces and line breaks, format characters
 * (zero-width space and joiners, bidi marks, soft hyphen, word joiner),
 * control characters, combining marks with nothing to combine with, variation
 * selectors, and the blank "letters" used to fake an empty name (Hangul
 * fillers, the braille blank, the Khmer and Mongolian vowel fillers).
 */
const VISIBLE = /[^\p{White_Space}\p{Cf}\p{Cc}\p{Mn}\p{Me}\u115F\u1160\u17B4\u17B5\u180E\u2800\u3164\uFFA0]/u;

/** True when `text` would show nothing at all (no character outside those: found at the first visible one). */
export function isInvisible(text: string): boolean {
  return !VISIBLE.test(text);
}

/**
 * Bidirectional embeddings, overrides and isolates (and the marks): in a name
 * they reorder what follows it on screen ("Trojan Source"), so a name cannot
 * carry them. Messages may: right-to-left writing needs them, and a message is
 * rendered in its own isolated box.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export function hasBidiControls(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}

/**
 * Handles nobody can sign up with: the assistant's (agents' own handles are
 * taken by their identities), the words mentions give a meaning to, and the
 * product's own name.
 */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'assistant',
  'system',
  'hubbub',
  'everyone',
  'here',
  'channel',
  'all',
  'null',
  'undefined',
]);
