import { createContext, type ReactNode, type RefObject, useContext, useEffect, useState } from 'react';
import type { CodeToken } from './code-highlighter';
import { type Grammar, highlightGrammar } from './code-languages';

type Highlighter = typeof import('./code-highlighter');

/**
 * Whether code blocks here may be highlighted: not in the part of a reply
 * still being written, where the code changes with every delta.
 */
export const HighlightCode = createContext(true);

let loading: Promise<Highlighter> | null = null;

/** The highlighter chunk, fetched once, the first time a block that needs it is on screen. */
function loadHighlighter(): Promise<Highlighter> {
  loading ??= import('./code-highlighter').catch((error: unknown) => {
    // Offline or a new deploy: the next block on screen tries again; this one stays plain.
    loading = null;
    throw error;
  });
  return loading;
}

/** Becomes true once `ref`'s element has come near the viewport, and stays true. */
function useSeen(ref: RefObject<Element | null>, watch: boolean): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (!watch || seen) return;
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
      },
      { rootMargin: '200px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, watch, seen]);
  return seen;
}

interface Highlighted {
  code: string;
  grammar: Grammar;
  tokens: CodeToken[];
}

/**
 * `code` as highlighted tokens once the highlighter has loaded and the block
 * is on screen; null until then (and for code that stays plain), when the
 * block shows its plain text: the same characters, so nothing moves.
 */
export function useHighlightedCode(
  code: string,
  language: string | undefined,
  ref: RefObject<Element | null>,
): CodeToken[] | null {
  const allowed = useContext(HighlightCode);
  const grammar = allowed ? highlightGrammar(code, language) : null;
  const seen = useSeen(ref, grammar !== null);
  const [highlighted, setHighlighted] = useState<Highlighted | null>(null);

  useEffect(() => {
    if (!grammar || !seen) return;
    let current = true;
    loadHighlighter()
      .then(({ highlightCode }) => {
        if (current) setHighlighted({ code, grammar, tokens: highlightCode(grammar, code) });
      })
      .catch(() => {
        // Stays plain.
      });
    return () => {
      current = false;
    };
  }, [code, grammar, seen]);

  return highlighted && highlighted.code === code && highlighted.grammar === grammar ? highlighted.tokens : null;
}

/** Tokens as React elements: text stays text, spans get class names and nothing else. */
export function renderTokens(tokens: readonly CodeToken[]): ReactNode[] {
  return tokens.map((token, i) =>
    typeof token === 'string' ? (
      token
    ) : (
      // Tokens of the same code never move: their position is their identity.
      <span key={i} className={token.classes}>
        {renderTokens(token.children)}
      </span>
    ),
  );
}
