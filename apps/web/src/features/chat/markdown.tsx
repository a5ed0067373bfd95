import { type ComponentProps, memo, useMemo, useRef } from 'react';
import Markdown, { type Components, type ExtraProps, type Options } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { HighlightCode, renderTokens, useHighlightedCode } from './code-highlight';
import { MESSAGE_BUDGET, type MessageBudget, type PartPlan, planMessage } from './markdown-plan';
import {
  type EndMarks,
  type HastNode,
  hastText,
  markdownUrlTransform,
  rehypeMessage,
  safeUrl,
} from './markdown-plugins';
import { copyLabel, useCopy } from './use-copy';
import './assistant.css';
import './code.css';

/** A fenced code block: the language, if given, highlighted when it is known, and a Copy button that says whether it worked. */
export function CodeBlock({ node, children }: ComponentProps<'pre'> & ExtraProps) {
  const { state, copy } = useCopy();
  const pre = useRef<HTMLPreElement>(null);

  const code = node?.children.find((c) => c.type === 'element' && c.tagName === 'code');
  const classes = code?.type === 'element' ? code.properties.className : undefined;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((c) => c.startsWith('language-'))
    ?.slice('language-'.length);
  const source = code ? hastText(code as HastNode) : '';
  const tokens = useHighlightedCode(source, language, pre);

  return (
    <div className="md-code" data-testid="code-block">
      <div className="md-code-head">
        <span className="md-code-lang">{language ?? 'code'}</span>
        <button
          type="button"
          className={`md-copy${state === 'idle' ? '' : ` is-${state}`}`}
          onClick={() => copy(source.replace(/\n$/, ''))}
          data-testid="copy-code"
          aria-label={state === 'idle' ? 'Copy code' : undefined}
        >
          <span aria-live="polite">{copyLabel(state)}</span>
        </button>
      </div>
      <pre ref={pre} data-highlighted={tokens ? 'true' : undefined}>
        {tokens ? (
          <code className={language ? `language-${language}` : undefined}>{renderTokens(tokens)}</code>
        ) : (
          children
        )}
      </pre>
    </div>
  );
}

/** Links open in a new tab, never with access to this page; anything but http(s)/mailto stays text. */
function SafeLink({ href, children, title }: ComponentProps<'a'> & ExtraProps) {
  const url = safeUrl(href);
  if (!url) {
    return (
      <span className="md-link-removed" title="Link removed: only web and email links are allowed">
        {children}
      </span>
    );
  }
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" title={title ?? url}>
      {children}
    </a>
  );
}

/** Images are not loaded from a message (no tracking pixels): they become a link to the picture. */
function ImageLink({ src, alt }: ComponentProps<'img'> & ExtraProps) {
  const url = safeUrl(typeof src === 'string' ? src : null);
  const label = `Image: ${alt?.trim() || 'untitled'}`;
  if (!url) return <span className="md-link-removed">{label}</span>;
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" title={url}>
      {label}
    </a>
  );
}

/** Tables scroll sideways in their own box instead of widening the chat. */
function Table({ children }: ComponentProps<'table'> & ExtraProps) {
  return (
    <div className="md-table-wrap">
      <table>{children}</table>
    </div>
  );
}

const components: Components = { pre: CodeBlock, a: SafeLink, img: ImageLink, table: Table };
const remarkPlugins = [remarkGfm];
type RehypePlugins = NonNullable<Options['rehypePlugins']>;

/**
 * remark plugin: the whole text as one paragraph, nothing parsed. The rehype
 * step still runs, so plain text keeps its mentions, caret and "(edited)".
 */
function remarkPlainText(this: { parser?: unknown }) {
  this.parser = (text: string) => ({
    type: 'root',
    children: [{ type: 'paragraph', children: [{ type: 'text', value: text }] }],
  });
}
const plainTextPlugins = [remarkPlainText];
/** Plain text keeps its spaces: no trimming around line breaks, as Markdown paragraphs get. */
const plainTextRehypeOptions: Options['remarkRehypeOptions'] = {
  handlers: { text: (_state: unknown, node: { value: string }) => ({ type: 'text', value: node.value }) },
};

const PLAIN_NOTES: Record<Exclude<PartPlan, 'format'>, string> = {
  'too-nested': 'Shown as plain text: too deeply nested to format',
  'too-complex': 'Shown as plain text: too complex to format',
  'too-long': 'Shown as plain text: the rest of this message is too long to format',
};

interface MarkdownPartProps extends EndMarks {
  /** As written: shown when the part is plain text. */
  text: string;
  /** What the parser gets when the part is formatted. */
  source: string;
  plan: PartPlan;
}

/**
 * One part of a message (see markdown-plan.ts), formatted, or as typed with a
 * note saying why not. Memoized by its text: while a reply streams, the parts
 * above the last one are not parsed again.
 */
export const MarkdownPart = memo(function MarkdownPart({ text, source, plan, caret, editedTitle }: MarkdownPartProps) {
  const rehypePlugins = useMemo<RehypePlugins>(() => [[rehypeMessage, { caret, editedTitle }]], [caret, editedTitle]);
  const plain = plan !== 'format';
  const markdown = (
    <Markdown
      remarkPlugins={plain ? plainTextPlugins : remarkPlugins}
      remarkRehypeOptions={plain ? plainTextRehypeOptions : undefined}
      rehypePlugins={rehypePlugins}
      components={components}
      urlTransform={markdownUrlTransform}
      skipHtml={false}
    >
      {plain ? text : source}
    </Markdown>
  );
  // The part a reply is still writing is not highlighted: its code changes with every delta.
  if (!plain) return caret ? <HighlightCode value={false}>{markdown}</HighlightCode> : markdown;
  return (
    <div className="md md-plain" data-plain={plan}>
      {markdown}
      <p className="md-plain-note" data-testid="plain-text-note">
        {PLAIN_NOTES[plan]}
      </p>
    </div>
  );
});

interface MarkdownTextProps extends EndMarks {
  text: string;
  /** What the parser may be given (tests change it to see the message part by part, or whole). */
  budget?: MessageBudget;
}

/**
 * A message's text as Markdown (GFM: lists, tables, code, links, strikethrough).
 * Raw HTML in a message is shown as the text it is, never as markup.
 *
 * The message renders part by part (see markdown-plan.ts): a block the parser
 * could choke on (see markdown-budget.ts) is shown as typed, with a note
 * saying why, and the rest of the message stays formatted. The caret and
 * "(edited)" end the message's last part.
 */
export const MarkdownText = memo(function MarkdownText({
  text,
  caret = false,
  editedTitle = null,
  budget = MESSAGE_BUDGET,
}: MarkdownTextProps) {
  const { parts, endsAt } = useMemo(() => planMessage(text, { streaming: caret, budget }), [text, caret, budget]);
  return (
    <div className="md">
      {parts.map((part, i) => (
        <MarkdownPart
          // Parts only grow at the end (a streaming reply): by position, the ones above keep their parse.
          key={i}
          text={part.text}
          source={part.source}
          plan={part.plan}
          caret={i === endsAt && caret}
          editedTitle={i === endsAt ? editedTitle : null}
        />
      ))}
    </div>
  );
});
