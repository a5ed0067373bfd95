/**
 * The syntax highlighter: lowlight (highlight.js grammars, giving a tree
 * rather than an HTML string) with a curated set of grammars. Loaded only
 * through `import()` (code-highlight.tsx), so it is a chunk of its own that
 * the first page never downloads.
 */
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { createLowlight } from 'lowlight';
import type { Grammar } from './code-languages';

const lowlight = createLowlight({
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  markdown,
  php,
  python,
  ruby,
  rust,
  shell,
  sql,
  swift,
  typescript,
  xml,
  yaml,
} satisfies Record<Grammar, unknown>);

/** Highlighted code: text, and spans that carry class names (`hljs-keyword`…) and nothing else. */
export type CodeToken = string | { classes: string; children: CodeToken[] };

interface TreeNode {
  type: string;
  value?: string;
  properties?: { className?: unknown };
  children?: TreeNode[];
}

/** lowlight's tree as tokens: text as it was, elements as their class names only. */
export function tokensOf(nodes: readonly TreeNode[]): CodeToken[] {
  const tokens: CodeToken[] = [];
  for (const node of nodes) {
    if (node.type === 'text') tokens.push(node.value ?? '');
    else if (node.type === 'element') {
      const names = node.properties?.className;
      const classes = (Array.isArray(names) ? names : [])
        .map(String)
        .filter((name) => /^[\w-]+$/.test(name))
        .join(' ');
      tokens.push({ classes, children: tokensOf(node.children ?? []) });
    }
  }
  return tokens;
}

/** `code` highlighted with `grammar`; its text is exactly `code`. */
export function highlightCode(grammar: Grammar, code: string): CodeToken[] {
  return tokensOf(lowlight.highlight(grammar, code).children as TreeNode[]);
}
