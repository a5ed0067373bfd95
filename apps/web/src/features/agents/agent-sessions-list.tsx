import { BUILT_IN_AGENT, LIMITS } from '@hubbub/core';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { toast } from '../../lib/toast';
import { PlusIcon } from '../../ui/icons';
import { ChannelLink } from '../chat/channel-link';
import type { ChannelSummary } from '../chat/types';
import {
  type AgentCheck,
  type DirectSplit,
  groupByAgents,
  newSessionName,
  sessionTitle,
  UNTITLED,
} from './agent-sessions';
import './agent-sessions.css';
import { NewSessionDialog, type NewSessionDialogHandle } from './new-session-dialog';
import { useSessionActions, useStartSession } from './use-agent-sessions';
import { useAgents } from './use-agents';

interface AgentSessionsProps {
  meId: string;
  split: DirectSplit<ChannelSummary>;
  isAgent: AgentCheck;
  activeSlug: string | null;
}

/** The sidebar's conversations with agents, by agent, each renamed or archived from its menu; archived ones fold away. */
export function AgentSessions({ meId, split, isAgent, activeSlug }: AgentSessionsProps) {
  const dialog = useRef<NewSessionDialogHandle>(null);
  const [showArchived, setShowArchived] = useState(false);
  const groups = groupByAgents(split.sessions, meId, isAgent);
  const item = (c: ChannelSummary) => <SessionItem key={c.id} channel={c} current={c.slug === activeSlug} />;
  return (
    <>
      <section className="sidebar-section" aria-labelledby="sessions-heading" data-testid="agent-sessions">
        <div className="sidebar-section-head">
          <h2 id="sessions-heading">Agents</h2>
          <button
            type="button"
            className="icon-button"
            onClick={() => dialog.current?.open()}
            aria-label="Start a new conversation with an agent"
            title="New conversation"
            data-testid="new-session-button"
          >
            <PlusIcon />
          </button>
        </div>
        {groups.length === 0 ? <StartWithAssistant /> : null}
        {groups.map((group) => (
          <div key={group.key} className="session-group" data-testid="session-group" data-agents={group.agentNames}>
            <h3 className="session-group-name">{group.agentNames}</h3>
            <ul className="channel-list">{group.items.map(item)}</ul>
          </div>
        ))}
        {split.archived.length > 0 && (
          <div className="session-archived">
            <button
              type="button"
              className="sidebar-action"
              aria-expanded={showArchived}
              onClick={() => setShowArchived((s) => !s)}
              data-testid="sessions-archived-toggle"
            >
              {showArchived ? '▾' : '▸'} Archived ({split.archived.length})
            </button>
            {showArchived && <ul className="channel-list">{split.archived.map(item)}</ul>}
          </div>
        )}
      </section>
      {/* Outside the section, so the sidebar's heading styles stay off the dialog's. */}
      <NewSessionDialog ref={dialog} />
    </>
  );
}

/** The empty state is the way in: one click opens a conversation with the built-in @assistant. */
function StartWithAssistant() {
  const assistant = useAgents().data?.find((a) => a.handle === BUILT_IN_AGENT);
  const start = useStartSession();
  const go = () => {
    if (assistant) start.go(assistant.userId).catch((error) => toast(errorMessage(error)));
  };
  return (
    <button
      type="button"
      className="sidebar-action"
      onClick={go}
      disabled={!assistant || start.pending}
      data-testid="sessions-empty"
    >
      Start a conversation with @{BUILT_IN_AGENT}
    </button>
  );
}

/** A session: its link (with unread counts), renamed in place, and a ⋯ menu to rename or (un)archive it. */
function SessionItem({ channel, current }: { channel: ChannelSummary; current: boolean }) {
  const title = sessionTitle(channel);
  const actions = useSessionActions();
  const [renaming, setRenaming] = useState(false);
  const archived = Boolean(channel.archivedAt);

  const rename = async (typed: string) => {
    setRenaming(false);
    const name = newSessionName(typed);
    if (!name || name === title) return;
    await actions.rename(channel.id, name).catch(() => {}); // the failure is toasted
  };

  return (
    <li className="session-item" data-testid="agent-session" data-slug={channel.slug} data-name={title}>
      {renaming ? (
        <RenameInput initial={title === UNTITLED ? '' : title} onDone={rename} onCancel={() => setRenaming(false)} />
      ) : (
        <ChannelLink channel={channel} current={current} name={title} />
      )}
      <SessionMenu
        title={title}
        archived={archived}
        disabled={actions.pending}
        onRename={() => setRenaming(true)}
        onArchive={() => void (archived ? actions.unarchive(channel.id) : actions.archive(channel.id)).catch(() => {})}
      />
    </li>
  );
}

/** Enter (or leaving the field) saves the name; Escape keeps the old one. */
function RenameInput({ initial, onDone, onCancel }: { initial: string; onDone(name: string): void; onCancel(): void }) {
  const [value, setValue] = useState(initial);
  const cancelled = useRef(false);
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      e.currentTarget.blur();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      cancelled.current = true;
      onCancel();
    }
  };
  return (
    <input
      className="session-rename"
      aria-label="Conversation name"
      value={value}
      maxLength={LIMITS.channelName}
      placeholder={UNTITLED}
      onChange={(e) => setValue(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={() => {
        if (!cancelled.current) onDone(value);
      }}
      // biome-ignore lint/a11y/noAutofocus: the person just chose Rename: typing goes here
      autoFocus
      data-testid="session-rename-input"
    />
  );
}

function SessionMenu({
  title,
  archived,
  disabled,
  onRename,
  onArchive,
}: {
  title: string;
  archived: boolean;
  disabled: boolean;
  onRename(): void;
  onArchive(): void;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const menuId = useId();

  // Closes on an outside click or Escape, like the user menu.
  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };

  return (
    <div className="session-menu" ref={root}>
      <button
        type="button"
        className="icon-button session-menu-button"
        aria-label={`Options for ${title}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        disabled={disabled}
        data-testid="session-menu-button"
      >
        ⋯
      </button>
      {open && (
        <div className="menu session-menu-popup" id={menuId} role="menu">
          {!archived && (
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={choose(onRename)}
              data-testid="session-rename"
            >
              Rename
            </button>
          )}
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={choose(onArchive)}
            data-testid={archived ? 'session-unarchive' : 'session-archive'}
          >
            {archived ? 'Unarchive' : 'Archive'}
          </button>
        </div>
      )}
    </div>
  );
}
