import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { atEnd, markOf, type ScrollMark, scrolledUpSince } from '../../lib/scroll-follow';
import { clockWithSeconds } from './format';
import { hiddenLogLines } from './task-cache';
import { HIDDEN_LABEL, type Task, type TaskLogLine } from './types';

/** Within this many pixels of the end counts as following the log. */
const BOTTOM_SLACK = 24;

/**
 * The task's log as it is written. It follows new lines while you are at the
 * end; scroll up and it holds still (new lines are counted) until you jump
 * back to the latest.
 */
export function TaskLog({ task, lines }: { task: Task; lines: TaskLogLine[] }) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const lastSeq = useRef<number | null>(null);
  /** Where the reader was before the latest lines. */
  const seen = useRef<ScrollMark>({ top: 0, height: 0 });
  const [paused, setPaused] = useState(false);
  const [unseen, setUnseen] = useState(0);
  const newest = lines.at(-1)?.seq ?? null;
  const hidden = hiddenLogLines(lines, task.logsDropped);

  // After each batch of lines, and when the notes above them change (the count of dropped lines can come after
  // the lines): stay at the end if following, else count the lines that came in.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const before = lastSeq.current;
    lastSeq.current = newest;
    if (following.current && !scrolledUpSince(el, seen.current, BOTTOM_SLACK)) el.scrollTop = el.scrollHeight;
    else {
      following.current = false;
      setPaused(true);
      if (newest !== null && before !== null && newest !== before) setUnseen((n) => n + (newest - before));
    }
    seen.current = markOf(el);
  }, [newest, hidden.dropped, hidden.notLoaded]);

  // Another task's log starts at its end.
  useEffect(() => {
    following.current = true;
    setPaused(false);
    setUnseen(0);
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    seen.current = markOf(el);
  }, [task.id]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const end = atEnd(el, BOTTOM_SLACK);
    seen.current = markOf(el);
    following.current = end;
    setPaused(!end);
    if (end) setUnseen(0);
  };

  const jump = () => {
    const el = box.current;
    if (!el) return;
    following.current = true;
    el.scrollTop = el.scrollHeight;
    seen.current = markOf(el);
    setPaused(false);
    setUnseen(0);
  };

  const empty = task.redacted
    ? HIDDEN_LABEL
    : task.status === 'queued'
      ? 'The log starts when an agent picks this task up.'
      : task.status === 'in_progress' || task.status === 'awaiting_approval'
        ? 'Nothing logged yet…'
        : 'This task wrote no log.';

  return (
    <div className="task-log-wrap">
      <div
        className="task-log"
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-label={`Log of ${task.title}`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        data-testid="task-log"
      >
        {hidden.dropped > 0 && (
          <p className="log-note" data-testid="log-dropped">
            {hidden.dropped.toLocaleString()} older {hidden.dropped === 1 ? 'line' : 'lines'} dropped (the server keeps
            the newest 1,000)
          </p>
        )}
        {hidden.notLoaded > 0 && (
          <p className="log-note">
            {hidden.notLoaded.toLocaleString()} earlier {hidden.notLoaded === 1 ? 'line' : 'lines'} not shown
          </p>
        )}
        {lines.length === 0 ? (
          <p className="log-empty">{empty}</p>
        ) : (
          lines.map((l) => (
            <div className="log-line" key={l.seq} data-testid="log-line">
              <time dateTime={l.at}>{clockWithSeconds(l.at)}</time>
              <span className="log-text">{l.line}</span>
            </div>
          ))
        )}
      </div>
      {paused && (
        <button type="button" className="log-jump" onClick={jump} data-testid="log-jump">
          {unseen > 0 ? `${unseen} new ${unseen === 1 ? 'line' : 'lines'} · ` : 'Paused · '}Jump to latest ↓
        </button>
      )}
    </div>
  );
}
