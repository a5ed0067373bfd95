import {
  type AgentStatus,
  AppError,
  type Bus,
  type ChatStore,
  type ControlCommand,
  type DecideToolInput,
  type Message,
  type MessageMeta,
  notFound,
  type StreamEvent,
  TOOL_CALL_LIMITS,
  type ToolCallPart,
  type User,
} from '@hubbub/core';
import { stepCountIs, streamText } from 'ai';
import { DeltaCoalescer } from './coalescer';
import { type DailyReplyBudget, spendReply } from './daily-budget';
import type { ModelProvider } from './hand-made-model';
import { describeModelError } from './model-errors';
import { buildPrompt, threadContext } from './prompt';
import { agentStatusSignal, modelFor, type ReplyAgent, systemPromptFor } from './reply-agent';
import { type InLine, ReplyLine } from './reply-line';
import { versionsAfterRegenerate } from './reply-versions';
import { keptOutput, loopMessages, ToolCallLog } from './tool-call-log';

export interface AssistantOptions {
  chat: ChatStore;
  bus: Bus;
  model: ModelProvider;
  systemPrompt?: string;
  /** Characters of channel history the model sees. Default 12,000. */
  historyBudgetChars?: number;
  maxOutputTokens?: number;
  /** At most one delta frame per this many ms reaches subscribers. Default 30. */
  deltaIntervalMs?: number;
  /** Replies one person may have streaming (or waiting) at once. Default 1. */
  maxConcurrentPerUser?: number;
  /** Replies generating at once on this instance; more wait in a first-come queue. Default 4. */
  maxConcurrent?: number;
  /** Replies that may wait for a slot; beyond this a request is refused (TOO_MANY_REQUESTS). Default 100. */
  maxQueue?: number;
  /** Replies one person may ask for per day (retries count); unset = unlimited. */
  dailyBudget?: DailyReplyBudget;
  /** A model silent this long is given up on. Default 60 s. */
  idleTimeoutMs?: number;
  /** This server instance's name, recorded on the replies it streams. */
  instance?: string;
  /** How long a stop waits for the instance streaming the reply. Default 5 s. */
  remoteCancelTimeoutMs?: number;
  /** Told about model failures (the server logs them). */
  onFailure?(reason: string, error: unknown, messageId: string): void;
  /** Told when an agent asks for a model this server does not have (the default one answers instead). */
  onModelFallback?(agent: ReplyAgent, requestedModel: string, messageId: string): void;
}

/** The bus topic instances use to ask each other things (e.g. stop a reply streaming elsewhere). */
export const CONTROL_TOPIC = 'control';

interface Reply extends InLine {
  /** Empty until the reply message exists (a request is admitted before it is stored). */
  messageId: string;
  channelId: string;
  seq: number;
  /** The thread it answers in (null: the channel itself); that thread is its context. */
  threadId: string | null;
  /** Who asked: they (or an admin) may stop it. */
  requestedBy: string;
  /** The agent it is written as; null: the assistant of old (no registry, no status signals). */
  agent: ReplyAgent | null;
  controller: AbortController;
  /** Why it stopped early, if it did. */
  stop: { status: 'cancelled' | 'failed'; reason?: string } | null;
  text: string;
  /** Its tool calls so far (a resumed reply starts with the stored ones). */
  calls: ToolCallLog;
  /** It continues a loop that waited for a decision (its text and calls are stored). */
  resuming: boolean;
  done: Promise<void>;
}

/** A request `admit()` let in: pass it to `reply()`, or `cancel()` it when no reply will follow. */
export interface ReplyTicket {
  /** Gives back the slot or queue place (the day's budget stays spent). */
  cancel(): void;
}

class Admitted implements ReplyTicket {
  used = false;

  constructor(
    readonly reply: Reply,
    /** Gives back the person's slot, once. */
    readonly release: () => void,
    private readonly giveBack: (admitted: Admitted) => void,
  ) {}

  cancel(): void {
    if (this.used) return;
    this.used = true;
    this.giveBack(this);
  }
}

const newReply = (): Reply => ({
  messageId: '',
  channelId: '',
  seq: 0,
  threadId: null,
  requestedBy: '',
  agent: null,
  controller: new AbortController(),
  stop: null,
  text: '',
  calls: new ToolCallLog(),
  resuming: false,
  done: Promise.resolve(),
  started: false,
  wake: null,
  storedPosition: null,
});

/**
 * Streams model replies into channels: creates the reply as a tracked
 * message, relays the model's text as coalesced `message.delta` signals, and
 * stores the whole text when done — or what there was, when stopped or failed.
 * At most `maxConcurrent` replies generate at once; the others wait in line,
 * their place stored with the message (`meta.queuePosition`) as the line moves.
 */
export class Assistant {
  private readonly replies = new Map<string, Reply>();
  private readonly perUser = new Map<string, number>();
  /** Replies being reset by retry() (between its checks and the start of the new stream). */
  private readonly restarting = new Set<string>();
  /** Replies whose tool call is being decided here (one decision at a time per reply). */
  private readonly deciding = new Set<string>();
  private readonly line: ReplyLine<Reply>;

  constructor(private readonly options: AssistantOptions) {
    this.line = new ReplyLine({
      maxConcurrent: options.maxConcurrent ?? 4,
      maxQueue: options.maxQueue ?? 100,
      storePosition: (reply, position) => this.storeQueuePosition(reply, position),
    });
  }

  get model(): ModelProvider {
    return this.options.model;
  }

  /** Replies generating now (holding a model slot). */
  get streaming(): number {
    return this.line.running;
  }

  /** Replies waiting for a model slot. */
  get waiting(): number {
    return this.line.waiting;
  }

  /** Throws TOO_MANY_REQUESTS when `userId` already has the allowed number of replies under way. */
  assertCanStart(userId: string): void {
    if ((this.perUser.get(userId) ?? 0) >= (this.options.maxConcurrentPerUser ?? 1)) {
      throw new AppError('TOO_MANY_REQUESTS', 'the assistant is still answering you: wait for it, or stop it');
    }
  }

  /**
   * Lets a request in before anything is stored: takes the person's slot, a
   * model slot or a place in line, and one reply of their day's budget — or
   * throws TOO_MANY_REQUESTS. Pass the ticket to `reply()`.
   */
  admit(user: Pick<User, 'id'>): Promise<ReplyTicket> {
    return this.admitFor(user.id);
  }

  /**
   * Starts a reply to `trigger` in its channel, written as `agent` (its instructions, model and
   * authorship); resolves once the (empty, streaming or waiting) reply exists.
   */
  async reply(trigger: Message, requestedBy: User, ticket?: ReplyTicket, agent?: ReplyAgent): Promise<Message> {
    const admitted = ticket ? this.take(ticket) : await this.admitFor(requestedBy.id);
    const { reply, release } = admitted;
    reply.agent = agent ?? null;
    const queuePosition = this.line.position(reply);
    let message: Message;
    try {
      const created = await this.options.chat.sendMessage({
        channelId: trigger.channelId,
        // Asked in a thread: answered in that thread.
        threadId: trigger.threadId,
        authorId: reply.agent?.authorId ?? null,
        role: 'assistant',
        status: 'streaming',
        content: '',
        meta: {
          ...this.modelMeta(reply.agent),
          requestedBy: requestedBy.id,
          instance: this.options.instance,
          ...(queuePosition ? { queuePosition } : {}),
        },
      });
      message = created.message;
      reply.storedPosition = queuePosition;
      await this.publish(created.event);
      await this.publish(created.threadEvent ?? null);
    } catch (error) {
      this.giveBack(admitted);
      throw error;
    }
    this.run(reply, message, requestedBy.id, release);
    return message;
  }

  /**
   * Regenerates a finished, failed or cancelled reply in place (same id, new
   * text), keeping the text it had among its versions. Only the person who
   * asked, or an admin, may. `agent`: the agent that wrote it (it writes again).
   */
  async retry(messageId: string, by: User, agent?: ReplyAgent): Promise<Message> {
    const message = await this.requireReply(messageId);
    const asker = message.meta?.requestedBy;
    if (asker !== by.id && by.role !== 'admin') {
      throw new AppError('FORBIDDEN', 'only the person who asked (or an admin) can regenerate this reply');
    }
    if (this.replies.has(messageId) || this.restarting.has(messageId) || message.status === 'streaming') {
      throw new AppError('CONFLICT', 'this reply is still streaming: stop it first');
    }
    // The id is taken before the next await, so simultaneous retries cannot both start.
    this.restarting.add(messageId);
    let reset: Message;
    let admitted: Admitted | undefined;
    try {
      admitted = await this.admitFor(by.id);
      admitted.reply.agent = agent ?? null;
      const queuePosition = this.line.position(admitted.reply);
      const versions = versionsAfterRegenerate(message);
      const edited = await this.options.chat.editMessage(messageId, {
        content: '',
        status: 'streaming',
        meta: {
          requestedModel: undefined,
          ...this.modelMeta(admitted.reply.agent),
          error: undefined,
          tokenCount: undefined,
          toolCalls: undefined,
          awaitingApproval: undefined,
          instance: this.options.instance,
          queuePosition: queuePosition ?? undefined,
          regeneratedAt: new Date().toISOString(),
          versions: versions.length > 0 ? versions : undefined,
        },
      });
      reset = edited.message;
      admitted.reply.storedPosition = queuePosition;
      await this.publish(edited.event);
    } catch (error) {
      if (admitted) this.giveBack(admitted);
      throw error;
    } finally {
      this.restarting.delete(messageId);
    }
    this.run(admitted.reply, reset, asker ?? by.id, admitted.release);
    return reset;
  }

  /** Stops a streaming (or waiting) reply: the model request is aborted and the text so far is kept. */
  async cancel(messageId: string, by: User): Promise<void> {
    const reply = this.replies.get(messageId);
    if (!reply) return this.cancelWaitingOrElsewhere(messageId, by);
    if (reply.requestedBy !== by.id && by.role !== 'admin') {
      throw new AppError('FORBIDDEN', 'only the person who asked (or an admin) can stop this reply');
    }
    this.stopLocal(reply);
    await reply.done;
  }

  /**
   * A person approves or denies a tool call waiting in a reply (its asker, or an admin). Once none
   * of the reply's calls waits any more, its loop resumes here — after a restart too: the approved
   * calls run, the model hears of the denied ones and goes on. `agent`: the agent that wrote it, with
   * its tools for the asker.
   */
  async decideTool(input: DecideToolInput, by: User, agent?: ReplyAgent): Promise<Message> {
    // The reply may still be storing its pause (the card showed the call as it was asked): wait for it, but
    // refuse someone who may not decide before making them wait.
    const running = this.replies.get(input.messageId);
    if (running) {
      assertMayDecide(await this.requireReply(input.messageId), by);
      await running.done;
    }
    const message = await this.requireReply(input.messageId);
    assertMayDecide(message, by);
    const asker = message.meta?.requestedBy;
    const call = message.meta?.toolCalls?.find((c) => c.toolCallId === input.toolCallId);
    if (!call) throw notFound('tool call');
    const waiting =
      call.state === 'awaiting-approval' && message.status === 'streaming' && message.meta?.awaitingApproval;
    if (!waiting || this.deciding.has(message.id)) {
      throw new AppError('CONFLICT', `this call is ${waiting ? 'being decided' : `already ${call.state}`}`);
    }
    this.deciding.add(message.id);
    try {
      const calls = new ToolCallLog(message.meta?.toolCalls);
      calls.update(call.toolCallId, {
        state: input.approved ? 'running' : 'denied',
        decidedBy: { id: by.id, displayName: by.displayName },
        ...(input.reason ? { reason: input.reason } : {}),
      });
      if (calls.awaiting.length > 0) {
        const { message: updated, event } = await this.options.chat.editMessage(message.id, {
          meta: { toolCalls: calls.snapshot() },
        });
        await this.publish(event);
        return updated;
      }
      return await this.resume(message, calls, asker ?? by.id, agent ?? null);
    } finally {
      this.deciding.delete(message.id);
    }
  }

  /** Runs a reply's loop again from its stored text and decided calls (it takes a model slot, not the asker's). */
  private async resume(
    message: Message,
    calls: ToolCallLog,
    asker: string,
    agent: ReplyAgent | null,
  ): Promise<Message> {
    const reply = newReply();
    if (!this.line.join(reply)) {
      throw new AppError('TOO_MANY_REQUESTS', 'the assistant is busy: try again in a few minutes');
    }
    const admitted = new Admitted(
      reply,
      () => {},
      (a) => this.giveBack(a),
    );
    Object.assign(reply, { agent, text: message.content, calls, resuming: true });
    let resumed: Message;
    try {
      const queuePosition = this.line.position(reply);
      const edited = await this.options.chat.editMessage(message.id, {
        meta: {
          toolCalls: calls.snapshot(),
          awaitingApproval: undefined,
          instance: this.options.instance,
          queuePosition: queuePosition ?? undefined,
        },
      });
      resumed = edited.message;
      reply.storedPosition = queuePosition;
      await this.publish(edited.event);
    } catch (error) {
      this.giveBack(admitted);
      throw error;
    }
    this.run(reply, resumed, asker, admitted.release);
    return resumed;
  }

  /** Another instance asks: stop this reply if it streams here (the asker's rights were checked there). */
  handleControl(command: ControlCommand): void {
    if (command.type !== 'cancel-reply') return;
    const reply = this.replies.get(command.messageId);
    if (reply) this.stopLocal(reply);
  }

  private stopLocal(reply: Reply): void {
    reply.stop = { status: 'cancelled' };
    reply.controller.abort(new Error('cancelled'));
  }

  /**
   * A reply waiting for a decision is stopped here (its waiting calls end denied); one streaming on
   * another instance (or nowhere) is asked over the bus, then waited for.
   */
  private async cancelWaitingOrElsewhere(messageId: string, by: User): Promise<void> {
    const message = await this.requireReply(messageId);
    if (message.status !== 'streaming') throw new AppError('CONFLICT', `this reply is already ${message.status}`);
    if (message.meta?.requestedBy !== by.id && by.role !== 'admin') {
      throw new AppError('FORBIDDEN', 'only the person who asked (or an admin) can stop this reply');
    }
    if (message.meta?.awaitingApproval) {
      const decidedBy = { id: by.id, displayName: by.displayName };
      const toolCalls = (message.meta.toolCalls ?? []).map((call) =>
        call.state === 'awaiting-approval' ? { ...call, state: 'denied' as const, decidedBy, reason: 'stopped' } : call,
      );
      const { event } = await this.options.chat.editMessage(messageId, {
        status: 'cancelled',
        meta: { toolCalls, awaitingApproval: undefined },
      });
      await this.publish(event);
      return;
    }
    await this.options.bus.publish(CONTROL_TOPIC, {
      kind: 'control',
      command: { type: 'cancel-reply', messageId, userId: by.id },
    });
    const deadline = Date.now() + (this.options.remoteCancelTimeoutMs ?? 5000);
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = await this.options.chat.messageById(messageId);
      if (now?.status !== 'streaming') return;
    }
    throw new AppError('CONFLICT', 'the server streaming this reply did not answer: try again');
  }

  /** Replies streaming in a channel that a subscriber (at `upToSeq`) knows about, with their text so far. */
  inFlight(channelId: string, upToSeq: number): { messageId: string; text: string }[] {
    const found = [];
    for (const reply of this.replies.values()) {
      if (reply.channelId === channelId && reply.seq <= upToSeq && reply.text) {
        found.push({ messageId: reply.messageId, text: reply.text });
      }
    }
    return found;
  }

  /**
   * Replies left "streaming" by an instance that is gone (a crash) are failed:
   * nothing will ever finish them. `isAlive` says which instances still run
   * (by default none but this one).
   */
  async recoverInterrupted(isAlive: (instance: string) => boolean = () => false): Promise<number> {
    let failed = 0;
    for (const message of await this.options.chat.streamingMessages()) {
      const owner = message.meta?.instance;
      if (this.replies.has(message.id) || (owner && (owner === this.options.instance || isAlive(owner)))) continue;
      // Waiting for a person is not running anywhere: it resumes on the decision, after any restart.
      if (message.meta?.awaitingApproval) continue;
      const { event } = await this.options.chat.editMessage(message.id, {
        status: 'failed',
        meta: { error: 'interrupted: the server stopped while this reply was streaming', queuePosition: undefined },
      });
      await this.publish(event);
      failed++;
    }
    return failed;
  }

  /** Shutdown: ends every reply, generating or waiting, as failed ("interrupted") with its text so far. */
  async stopAll(): Promise<void> {
    const interrupt = (reply: Reply) => {
      reply.stop = { status: 'failed', reason: 'interrupted: the server is restarting' };
      reply.controller.abort(new Error('shutdown'));
    };
    const all = [...this.replies.values()];
    // The waiting ones first, so a slot freed by a stopping reply starts nobody.
    for (const reply of this.line.drain()) interrupt(reply);
    for (const reply of all) interrupt(reply);
    await Promise.all(all.map((r) => r.done));
    await this.line.settled();
  }

  /** The provider and model a reply of `agent` is written by (and the model it asked for, when that one is not here). */
  private modelMeta(agent: ReplyAgent | null): MessageMeta {
    const { model, requestedModel } = modelFor(agent, this.options.model);
    return { provider: model.provider, model: model.model, ...(requestedModel ? { requestedModel } : {}) };
  }

  /** Tells the channel what the reply's agent is doing (ephemeral, like typing); best effort. */
  private publishStatus(reply: Reply, status: AgentStatus, tool?: string): void {
    if (!reply.agent) return;
    const signal = agentStatusSignal(reply.agent, status, reply, tool);
    this.options.bus.publish(reply.channelId, { kind: 'signal', channelId: reply.channelId, signal }).catch(() => {});
  }

  private async requireReply(messageId: string): Promise<Message> {
    const message = await this.options.chat.messageById(messageId);
    if (!message) throw notFound('message');
    if (message.role !== 'assistant') throw new AppError('BAD_REQUEST', 'that message is not an assistant reply');
    return message;
  }

  private async admitFor(userId: string): Promise<Admitted> {
    // Everything is taken before the first await, so simultaneous requests cannot overshoot a limit.
    const release = this.reserve(userId);
    const reply = newReply();
    if (!this.line.join(reply)) {
      release();
      throw new AppError(
        'TOO_MANY_REQUESTS',
        'the assistant is busy: too many replies are waiting for the model; try again in a few minutes',
      );
    }
    const admitted = new Admitted(reply, release, (a) => this.giveBack(a));
    try {
      await spendReply(this.options.dailyBudget, userId);
    } catch (error) {
      this.giveBack(admitted);
      throw error;
    }
    return admitted;
  }

  private take(ticket: ReplyTicket): Admitted {
    if (!(ticket instanceof Admitted) || ticket.used) throw new Error('this ticket is not an unused one from admit()');
    ticket.used = true;
    return ticket;
  }

  /** An admitted request that will not become a reply: its slots go back. */
  private giveBack(admitted: Admitted): void {
    admitted.used = true;
    this.line.leave(admitted.reply);
    admitted.release();
  }

  private async storeQueuePosition(reply: Reply, position: number | null): Promise<void> {
    try {
      const { event } = await this.options.chat.editMessage(reply.messageId, {
        meta: { queuePosition: position ?? undefined },
      });
      await this.publish(event);
    } catch {
      // Deleted meanwhile: the reply's own final update reports it.
    }
  }

  /** Takes one of `userId`'s reply slots (or throws TOO_MANY_REQUESTS); the result gives it back, once. */
  private reserve(userId: string): () => void {
    this.assertCanStart(userId);
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
  }

  private run(reply: Reply, message: Message, requestedBy: string, release: () => void): void {
    reply.messageId = message.id;
    reply.channelId = message.channelId;
    reply.seq = message.seq;
    reply.threadId = message.threadId ?? null;
    reply.requestedBy = requestedBy;
    this.replies.set(message.id, reply);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (this.replies.get(message.id) === reply) this.replies.delete(message.id);
      this.line.leave(reply);
      release();
    };
    this.line.show(reply);
    reply.done = this.stream(reply, finish).then(finish, (error: unknown) => {
      // Nobody awaits a reply that ends by itself: a rejection here would be unhandled.
      finish();
      const why = error instanceof Error ? error.message : String(error);
      this.options.onFailure?.(`could not finish the reply: ${why}`, error, reply.messageId);
    });
  }

  /** `finish` ends the reply's bookkeeping: called once the final state is stored, before it is published. */
  private async stream(reply: Reply, finish: () => void): Promise<void> {
    const { chat } = this.options;
    const { model, requestedModel } = modelFor(reply.agent, this.options.model);
    if (reply.agent && requestedModel && !reply.resuming) {
      this.options.onModelFallback?.(reply.agent, requestedModel, reply.messageId);
    }
    // A resumed reply's text is stored already: its deltas continue where that text ends.
    const base = reply.text.length;
    const coalescer = new DeltaCoalescer(this.options.deltaIntervalMs ?? 30, (delta) => {
      this.options.bus
        .publish(reply.channelId, {
          kind: 'signal',
          channelId: reply.channelId,
          signal: { type: 'message.delta', messageId: reply.messageId, index: base + delta.index, text: delta.text },
        })
        .catch(() => {});
    });
    const idleMs = this.options.idleTimeoutMs ?? 60_000;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        reply.stop = { status: 'failed', reason: 'the model did not answer in time' };
        reply.controller.abort(new Error('idle timeout'));
      }, idleMs);
    };

    let status: Message['status'] = 'complete';
    const meta: MessageMeta = { provider: model.provider, model: model.model, queuePosition: undefined };
    try {
      await this.line.waitForTurn(reply, reply.controller.signal);
      this.publishStatus(reply, 'thinking');
      touch();
      const result = streamText({
        model: model.languageModel,
        messages: [
          ...(await this.prompt(reply)),
          ...(reply.resuming ? loopMessages(reply.text, reply.calls.calls) : []),
        ],
        tools: reply.agent?.toolset?.tools,
        stopWhen: stepCountIs(Math.max(1, TOOL_CALL_LIMITS.steps - reply.calls.nextStep)),
        abortSignal: reply.controller.signal,
        maxOutputTokens: this.options.maxOutputTokens,
        // Hubbub reports failures on the message; a retry is the user's Regenerate.
        maxRetries: 0,
        onError: () => {},
      });
      let step = reply.calls.nextStep;
      for await (const part of result.fullStream) {
        if (reply.stop) break;
        touch();
        switch (part.type) {
          case 'text-delta':
            reply.text += part.text;
            coalescer.push(part.text);
            break;
          case 'finish-step':
            step++;
            break;
          case 'tool-call': {
            coalescer.flush();
            const asks = reply.agent?.toolset?.tools[part.toolName]?.needsApproval === true;
            const call: ToolCallPart = {
              toolCallId: part.toolCallId,
              toolName: part.toolName,
              input: part.input,
              state: asks ? 'awaiting-approval' : 'running',
              at: reply.text.length,
              step,
            };
            if (!reply.calls.add(call)) throw new Error(`more than ${TOOL_CALL_LIMITS.calls} tool calls in one reply`);
            // A call that waits is shown once its approval is asked for (next part).
            if (!asks) {
              this.publishStatus(reply, 'calling', part.toolName);
              await this.storeProgress(reply);
            }
            break;
          }
          case 'tool-approval-request':
            reply.calls.update(part.toolCall.toolCallId, { state: 'awaiting-approval', approvalId: part.approvalId });
            await this.storeProgress(reply);
            break;
          case 'tool-result':
            reply.calls.update(part.toolCallId, { state: 'done', output: keptOutput(part.output) });
            await this.storeProgress(reply);
            this.publishStatus(reply, 'thinking');
            break;
          case 'tool-error':
            reply.calls.update(part.toolCallId, { state: 'failed', error: toolErrorText(part.error) });
            await this.storeProgress(reply);
            this.publishStatus(reply, 'thinking');
            break;
          case 'tool-output-denied':
            reply.calls.update(part.toolCallId, { state: 'denied' });
            await this.storeProgress(reply);
            break;
          case 'error':
            throw part.error;
          case 'abort':
            throw reply.controller.signal.reason ?? new Error('aborted');
        }
      }
      if (reply.stop) throw new Error('stopped');
      meta.tokenCount = (await result.totalUsage).outputTokens ?? undefined;
      if (reply.calls.awaiting.length > 0) {
        // Paused for a person: still in progress, holding no slot; the decision resumes it.
        status = 'streaming';
        meta.awaitingApproval = true;
      } else if (!reply.text.trim() && reply.calls.calls.length === 0) {
        status = 'failed';
        meta.error = 'the model returned an empty reply';
      }
    } catch (error) {
      if (reply.stop) {
        status = reply.stop.status;
        if (reply.stop.reason) meta.error = reply.stop.reason;
      } else {
        status = 'failed';
        meta.error = describeModelError(error);
        this.options.onFailure?.(meta.error, error, reply.messageId);
      }
    } finally {
      clearTimeout(idle);
      coalescer.flush();
    }
    if (reply.calls.calls.length > 0) meta.toolCalls = this.endCalls(reply, status);
    const { message, event } = await this.line.finalUpdate(reply, () =>
      chat.editMessage(reply.messageId, { content: reply.text, status, meta }),
    );
    // Whoever sees the final update may at once ask again, retry, decide, or look for in-flight text.
    finish();
    await this.publish(event);
    if (meta.awaitingApproval) {
      this.publishStatus(reply, 'awaiting-approval');
      await reply.agent?.toolset?.onAwaitingApproval(message, reply.calls.awaiting).catch(() => {});
    } else {
      this.publishStatus(reply, status === 'failed' ? 'error' : 'idle');
    }
  }

  /** The reply's calls as stored at its end: none is left running once it stopped or failed. */
  private endCalls(reply: Reply, status: Message['status']): ToolCallPart[] {
    if (status !== 'streaming') {
      for (const call of reply.calls.calls) {
        if (call.state === 'running' || call.state === 'awaiting-approval') {
          reply.calls.update(call.toolCallId, {
            state: 'failed',
            error: status === 'cancelled' ? 'stopped' : 'the reply ended first',
          });
        }
      }
    }
    return reply.calls.snapshot();
  }

  /** The model's view before this reply: in a thread, the thread (root and earlier replies); otherwise the channel's latest messages. */
  private async prompt(reply: Reply) {
    const { chat } = this.options;
    const context = reply.threadId
      ? await threadContext(chat, reply.threadId, reply.seq)
      : (await chat.history(reply.channelId, { before: reply.seq, limit: 100 })).items;
    return buildPrompt(
      context,
      this.options.historyBudgetChars ?? 12_000,
      systemPromptFor(reply.agent, this.options.systemPrompt),
    );
  }

  /** Stores the reply's text and calls as they are now (a call changed state), so a reload or resume shows them. */
  private async storeProgress(reply: Reply): Promise<void> {
    const { event } = await this.options.chat.editMessage(reply.messageId, {
      content: reply.text,
      meta: { toolCalls: reply.calls.snapshot() },
    });
    await this.publish(event);
  }

  /** Best effort: the change is stored; if the bus is down, streams re-read the store once it is back. */
  private async publish(event: StreamEvent | null): Promise<void> {
    if (event) await this.options.bus.publish(event.channelId, { kind: 'change', event }).catch(() => {});
  }
}

/** A tool's failure in words: its own message (the tools throw readable errors), never a stack. */
function toolErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 500);
}

/** Only the person who asked for a reply, or an admin, approves or denies its calls. */
function assertMayDecide(reply: Message, by: User): void {
  if (reply.meta?.requestedBy !== by.id && by.role !== 'admin') {
    throw new AppError('FORBIDDEN', 'only the person who asked (or an admin) can approve or deny this call');
  }
}
