import { type AgentStore, type AgentUpsertInput, type ApiKeyStore, ZAgentUpsertInput } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, makeUser, type StoresUnderTest } from './stores-harness';

export type MakeAgentStores = () => Promise<StoresUnderTest & { agents: AgentStore; apiKeys: ApiKeyStore }>;

let counter = 0;
/** A valid upsert (parsed like agent.upsert's input), with a fresh handle unless one is given. */
const agentInput = (overrides: Partial<AgentUpsertInput> = {}): AgentUpsertInput =>
  ZAgentUpsertInput.parse({
    handle: `bot${++counter}`,
    name: 'Reviewer',
    instructions: 'Review the code you are shown.',
    model: 'gpt-test',
    tools: ['read_channel', 'create_task'],
    approval: { create_task: 'ask' },
    avatar: '🧐',
    ...overrides,
  });

/** The AgentStore contract: an agent is a user of role "agent" with its settings beside it. */
export function agentStoreContract(name: string, makeStores: MakeAgentStores): void {
  describe(name, () => {
    let stores: Awaited<ReturnType<MakeAgentStores>>;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    it('creates an agent with a user of role agent that cannot log in, and finds it by handle and user id', async () => {
      const admin = await makeUser(stores.users);
      const input = agentInput();
      const { agent, created } = await stores.agents.upsert(input, admin.id);
      expect(created).toBe(true);
      expect(agent).toMatchObject({
        handle: input.handle,
        name: 'Reviewer',
        instructions: 'Review the code you are shown.',
        model: 'gpt-test',
        tools: ['read_channel', 'create_task'],
        approval: { create_task: 'ask' },
        avatar: '🧐',
        builtIn: false,
        createdBy: admin.id,
      });
      const user = await stores.users.byId(agent.userId);
      expect(user).toMatchObject({ handle: input.handle, displayName: 'Reviewer', role: 'agent' });
      const secret = await stores.users.byHandleWithSecret(input.handle);
      expect(secret?.passwordHash).toBe('!');
      expect(await stores.agents.byHandle(input.handle)).toEqual(agent);
      expect(await stores.agents.byUserIds([admin.id, agent.userId])).toEqual([agent]);
      expect(await stores.agents.list()).toEqual([agent]);
    });

    it('updates an agent by handle: same user, new settings and name, its creator kept', async () => {
      const admin = await makeUser(stores.users);
      const other = await makeUser(stores.users);
      const input = agentInput();
      const first = await stores.agents.upsert(input, admin.id);
      const second = await stores.agents.upsert(
        { ...input, name: 'Strict reviewer', model: null, tools: [], approval: {}, avatar: null },
        other.id,
      );
      expect(second.created).toBe(false);
      expect(second.agent).toMatchObject({
        userId: first.agent.userId,
        name: 'Strict reviewer',
        model: null,
        tools: [],
        approval: {},
        avatar: null,
        createdBy: admin.id,
      });
      expect((await stores.users.byId(first.agent.userId))?.displayName).toBe('Strict reviewer');
      expect(await stores.agents.list()).toHaveLength(1);
    });

    it("never takes over a person's handle or an API key's identity", async () => {
      const admin = await makeUser(stores.users);
      await expectAppError(stores.agents.upsert(agentInput({ handle: admin.handle }), admin.id), 'CONFLICT');
      await stores.apiKeys.create({
        id: `key${++counter}`,
        name: 'worker-bot',
        role: 'agent',
        prefix: 'hb_x',
        secretHash: 'h',
        createdBy: admin.id,
      });
      await expectAppError(stores.agents.upsert(agentInput({ handle: 'worker-bot' }), admin.id), 'CONFLICT');
      expect(await stores.agents.list()).toEqual([]);
      expect((await stores.users.byId(admin.id))?.role).toBe('admin');
    });

    it('removes an agent but keeps its user (its replies keep their author); the same handle brings that user back', async () => {
      const admin = await makeUser(stores.users);
      const input = agentInput();
      const { agent } = await stores.agents.upsert(input, admin.id);
      expect(await stores.agents.remove(input.handle)).toEqual(agent);
      expect(await stores.agents.byHandle(input.handle)).toBeNull();
      expect(await stores.agents.byUserIds([agent.userId])).toEqual([]);
      expect(await stores.users.byId(agent.userId)).toMatchObject({ displayName: 'Reviewer', role: 'agent' });
      await expectAppError(stores.agents.remove(input.handle), 'NOT_FOUND');
      const back = await stores.agents.upsert({ ...input, name: 'Reviewer again' }, admin.id);
      expect(back.created).toBe(true);
      expect(back.agent.userId).toBe(agent.userId);
    });

    it('marks @assistant as the built-in agent', async () => {
      const { agent } = await stores.agents.upsert(agentInput({ handle: 'assistant', name: 'Assistant' }), null);
      expect(agent).toMatchObject({ handle: 'assistant', builtIn: true, createdBy: null });
    });

    it('an agent made before anyone signs up does not make the first person a member', async () => {
      await stores.agents.upsert(agentInput({ handle: 'assistant', name: 'Assistant' }), null);
      const first = await makeUser(stores.users);
      const second = await makeUser(stores.users);
      expect(first.role).toBe('admin');
      expect(second.role).toBe('member');
    });
  });
}
