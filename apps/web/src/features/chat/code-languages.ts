/**
 * Which fenced code blocks get syntax highlighting, decided without loading
 * the highlighter: the fence's language tag must name one of the grammars the
 * lazily loaded chunk registers (code-highlighter.ts), and the code must be
 * small enough to highlight quickly. Nothing is guessed: a block without a
 * tag, or with one not listed here, stays plain (auto-detection would run
 * every grammar over the code).
 */

/** The grammars code-highlighter.ts registers, by highlight.js name. */
export const GRAMMARS = [
  'bash',
  'c',
  'cpp',
  'csharp',
  'css',
  'diff',
  'dockerfile',
  'go',
  'ini',
  'java',
  'javascript',
  'json',
  'kotlin',
  'markdown',
  'php',
  'python',
  'ruby',
  'rust',
  'shell',
  'sql',
  'swift',
  'typescript',
  'xml',
  'yaml',
] as const;

export type Grammar = (typeof GRAMMARS)[number];

/** Other names a fence may use for a grammar (lowercase); a Map, so "constructor" names nothing. */
const ALIASES = new Map<string, Grammar>(
  Object.entries({
    sh: 'bash',
    zsh: 'bash',
    h: 'c',
    'c++': 'cpp',
    cc: 'cpp',
    hpp: 'cpp',
    cs: 'csharp',
    'c#': 'csharp',
    patch: 'diff',
    docker: 'dockerfile',
    golang: 'go',
    toml: 'ini',
    js: 'javascript',
    jsx: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    jsonc: 'json',
    kt: 'kotlin',
    md: 'markdown',
    py: 'python',
    rb: 'ruby',
    rs: 'rust',
    console: 'shell',
    'shell-session': 'shell',
    ts: 'typescript',
    tsx: 'typescript',
    mts: 'typescript',
    cts: 'typescript',
    html: 'xml',
    svg: 'xml',
    yml: 'yaml',
  } satisfies Record<string, Grammar>),
);

const KNOWN = new Set<string>(GRAMMARS);

/** Past this many characters a block stays plain: highlighting it could hold up the page. */
export const MAX_HIGHLIGHT_CHARACTERS = 20_000;

/** The grammar a fence's language tag names, or null when it names none the highlighter has. */
export function grammarFor(tag: string | null | undefined): Grammar | null {
  const name = tag?.trim().toLowerCase();
  if (!name) return null;
  if (KNOWN.has(name)) return name as Grammar;
  return ALIASES.get(name) ?? null;
}

/** The grammar to highlight `code` with, or null when it stays plain (no known tag, or too long). */
export function highlightGrammar(code: string, tag: string | null | undefined): Grammar | null {
  if (code.length === 0 || code.length > MAX_HIGHLIGHT_CHARACTERS) return null;
  return grammarFor(tag);
}
