import { describe, expect, it } from 'vitest';
import {
  agentCheck,
  agentChoices,
  groupByAgents,
  isAgentSession,
  newSessionName,
  sessionTitle,
  splitDirect,
} from './agent-sessions';

const ada = { userId: 'u-ada', handle: 'ada', displayName: 'Ada' };
const bob = { userId: 'u-bob', handle: 'bob', displayName: 'Bob' };
const assistant = { userId: 'u-assistant', handle: 'assistant', displayName: 'Assistant' };
const reviewer = { userId: 'u-reviewer', handle: 'reviewer', displayName: 'Reviewer' };
const agents = agentCheck(new Set([assistant.userId, reviewer.userId]));

const at = (hour: number) => `2026-12-02T${String(hour).padStart(2, '0')}:00:00.000Z`;
function conversation(id: string, people: (typeof ada)[], over: { name?: string; hour?: number } = {}) {
  return {
    id,
    kind: 'dm' as const,
    joined: true,
    name: over.name ?? people.map((p) => p.displayName).join(', '),
    people,
    lastMessageAt: over.hour === undefined ? null : at(over.hour),
    createdAt: at(1),
    archivedAt: null as string | null,
  };
}

describe('which direct conversations are sessions with agents', () => {
  it('is one when everyone but you is an agent, one agent or several', () => {
    expect(isAgentSession(conversation('a', [ada, assistant]), ada.userId, agents)).toBe(true);
    expect(isAgentSession(conversation('b', [ada, assistant, reviewer]), ada.userId, agents)).toBe(true);
  });

  it('is not one with a person in it, alone with yourself, or for a channel', () => {
    expect(isAgentSession(conversation('a', [ada, bob, assistant]), ada.userId, agents)).toBe(false);
    expect(isAgentSession(conversation('b', [ada, bob]), ada.userId, agents)).toBe(false);
    expect(isAgentSession(conversation('c', [ada]), ada.userId, agents)).toBe(false);
    expect(isAgentSession({ kind: 'channel', people: null }, ada.userId, agents)).toBe(false);
  });

  it('knows only the built-in @assistant before the registry has loaded', () => {
    const loading = agentCheck(null);
    expect(isAgentSession(conversation('a', [ada, assistant]), ada.userId, loading)).toBe(true);
    expect(isAgentSession(conversation('b', [ada, reviewer]), ada.userId, loading)).toBe(false);
  });
});

describe('splitDirect', () => {
  it('keeps people in Direct messages and sorts sessions by activity, archived ones apart', () => {
    const withBob = conversation('bob', [ada, bob], { hour: 9 });
    const older = conversation('older', [ada, assistant], { hour: 3 });
    const newer = conversation('newer', [ada, reviewer], { hour: 8 });
    const archived = { ...conversation('old', [ada, assistant], { hour: 10 }), archivedAt: at(11) };
    const notMine = { ...conversation('gone', [ada, assistant], { hour: 12 }), joined: false };
    const split = splitDirect([older, withBob, archived, newer, notMine], ada.userId, agents);
    expect(split.people.map((c) => c.id)).toEqual(['bob']);
    expect(split.sessions.map((c) => c.id)).toEqual(['newer', 'older']);
    expect(split.archived.map((c) => c.id)).toEqual(['old']);
  });
});

describe('session names', () => {
  it('shows the name given, and "New conversation" for the server’s default (everyone, any order)', () => {
    expect(sessionTitle(conversation('a', [ada, assistant], { name: 'Release notes' }))).toBe('Release notes');
    expect(sessionTitle(conversation('b', [ada, assistant], { name: 'Ada, Assistant' }))).toBe('New conversation');
    expect(sessionTitle(conversation('c', [assistant, ada], { name: 'Ada, Assistant' }))).toBe('New conversation');
    expect(sessionTitle(conversation('d', [ada, assistant], { name: 'Ada' }))).toBe('Ada');
  });

  it('groups sessions by their agents (never you), the most recently active group first', () => {
    const a = conversation('a', [ada, reviewer], { hour: 9 });
    const b = conversation('b', [ada, assistant], { hour: 8 });
    const c = conversation('c', [reviewer, ada, assistant], { hour: 7 });
    const d = conversation('d', [ada, reviewer], { hour: 6 });
    const groups = groupByAgents([a, b, c, d], ada.userId, agents);
    expect(groups.map((g) => [g.agentNames, g.items.map((i) => i.id)])).toEqual([
      ['Reviewer', ['a', 'd']],
      ['Assistant', ['b']],
      ['Assistant, Reviewer', ['c']],
    ]);
  });

  it('opens a new session with the trimmed name typed, or the server’s default when none', () => {
    expect(newSessionName('  Plan the launch ')).toBe('Plan the launch');
    expect(newSessionName('   ')).toBeUndefined();
  });
});

describe('agentChoices', () => {
  it('offers @assistant first, then the others by name', () => {
    const zed = { handle: 'zed', name: 'Zed' };
    const builtIn = { handle: 'assistant', name: 'Zzz helper' };
    const bee = { handle: 'bee', name: 'Bee' };
    expect(agentChoices([zed, builtIn, bee]).map((a) => a.handle)).toEqual(['assistant', 'bee', 'zed']);
  });
});
