import { type Attachment, backoffWithJitter } from '@hubbub/core';
import { errorCode, errorMessage, retryAfterMs } from '../../lib/errors';
import type { Store } from '../../lib/store';
import type { Outbox } from './outbox';
import type { Message, PendingMessage } from './types';

/** The unsent-message side of ChatLive (its public methods, nothing more). */
export interface PendingRows {
  readonly pending: Store<Record<string, PendingMessage[]>>;
  addPending(message: PendingMessage): void;
  updatePending(channelId: string, clientId: string, patch: Partial<PendingMessage>): void;
  removePending(channelId: string, clientId: string): void;
  confirm(message: Message): void;
}

export interface OutboxSenderDeps {
  outbox: Outbox;
  live: PendingRows;
  /** message.send. */
  send(input: { channelId: string; content: string; clientId: string; attachmentIds?: string[] }): Promise<Message>;
  newClientId(): string;
  now?(): Date;
  wait?(ms: number): Promise<void>;
}

/** Answers worth asking again by ourselves: the server was busy or told us to slow down. */
const RETRYABLE = new Set(['TOO_MANY_REQUESTS', 'INTERNAL_SERVER_ERROR']);
const AUTO_RETRIES = 3;
const RETRY_BASE_MS = 300;

/**
 * Sends messages through the outbox: each is stored before it leaves and
 * shown at once as "sending"; it is dropped from storage when the server
 * confirms it. A send that gets no answer (server or network down) is never
 * marked failed: it waits, still "sending", and goes out again when the
 * connection is back, after a reload too. Every attempt carries the same
 * clientId (the server stores one copy), and one message is never in flight
 * twice at once from this tab.
 */
export class OutboxSender {
  private connected = false;
  private readonly inFlight = new Set<string>();
  /** The messages this page put on screen: one that left the screen was confirmed or discarded. */
  private readonly shown = new Set<string>();

  constructor(private readonly deps: OutboxSenderDeps) {}

  /** Shows what a previous page left unsent in its channel, and sends the ones that were on their way. */
  restore(): void {
    const shown = this.deps.live.pending.get();
    for (const message of this.deps.outbox.all()) {
      if (shown[message.channelId]?.some((m) => m.clientId === message.clientId)) continue;
      this.show(message);
      if (message.status === 'sending') void this.deliver(message);
    }
  }

  /** The live connection's state: coming back sends whatever waits. */
  setConnected(connected: boolean): void {
    const cameBack = connected && !this.connected;
    this.connected = connected;
    if (cameBack) this.flush();
  }

  send(channelId: string, content: string, attachments: Attachment[] = []): void {
    const message: PendingMessage = {
      clientId: this.deps.newClientId(),
      channelId,
      content,
      ...(attachments.length > 0 ? { attachments } : {}),
      createdAt: (this.deps.now?.() ?? new Date()).toISOString(),
      status: 'sending',
    };
    this.deps.outbox.put(message);
    this.show(message);
    void this.deliver(message);
  }

  retry(message: PendingMessage): void {
    const again: PendingMessage = { ...message, status: 'sending', error: undefined };
    this.deps.outbox.put(again);
    this.deps.live.updatePending(message.channelId, message.clientId, { status: 'sending', error: undefined });
    void this.deliver(again);
  }

  discard(message: PendingMessage): void {
    this.deps.outbox.remove(message.clientId);
    this.deps.live.removePending(message.channelId, message.clientId);
  }

  /**
   * Everything on screen as "sending" (the outbox may have been full or
   * refused), and what this page stored and no longer shows (deliver drops it).
   */
  private flush() {
    for (const list of Object.values(this.deps.live.pending.get())) {
      for (const message of list) if (message.status === 'sending') void this.deliver(message);
    }
    for (const message of this.deps.outbox.all()) {
      if (message.status === 'sending' && this.shown.has(message.clientId)) void this.deliver(message);
    }
  }

  private show(message: PendingMessage) {
    this.shown.add(message.clientId);
    this.deps.live.addPending(message);
  }

  private async deliver(message: PendingMessage): Promise<void> {
    const { clientId, channelId, content } = message;
    const attachmentIds = message.attachments?.map((file) => file.id);
    if (this.inFlight.has(clientId)) return;
    this.inFlight.add(clientId);
    try {
      for (let attempt = 0; ; attempt++) {
        // Confirmed by the stream meanwhile, or discarded: nothing left to send.
        if (!this.isShown(message)) {
          this.forget(message);
          return;
        }
        try {
          const stored = await this.deps.send({
            channelId,
            content,
            clientId,
            ...(attachmentIds ? { attachmentIds } : {}),
          });
          this.forget(message);
          this.deps.live.confirm(stored);
          return;
        } catch (error) {
          const code = errorCode(error);
          // No answer: the server may not have it. Without a connection, wait for it (setConnected sends).
          if (code === null && !this.connected) return;
          if (code !== null && !(RETRYABLE.has(code) && attempt < AUTO_RETRIES)) {
            this.fail(message, errorMessage(error));
            return;
          }
          await this.wait(retryAfterMs(error) ?? RETRY_BASE_MS + backoffWithJitter(attempt));
        }
      }
    } finally {
      this.inFlight.delete(clientId);
    }
  }

  private isShown({ channelId, clientId }: PendingMessage) {
    return this.deps.live.pending.get()[channelId]?.some((m) => m.clientId === clientId) ?? false;
  }

  private forget(message: PendingMessage) {
    this.deps.outbox.remove(message.clientId);
    this.shown.delete(message.clientId);
  }

  /** Refused by the server: kept (a reload still shows it) with retry and discard, never sent by itself. */
  private fail(message: PendingMessage, error: string) {
    this.deps.outbox.put({ ...message, status: 'failed', error });
    this.deps.live.updatePending(message.channelId, message.clientId, { status: 'failed', error });
  }

  private wait(ms: number) {
    return this.deps.wait ? this.deps.wait(ms) : new Promise<void>((resolve) => setTimeout(resolve, ms));
  }
}
