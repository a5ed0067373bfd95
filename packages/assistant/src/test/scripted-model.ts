import type { ModelMessage } from '@hubbub/core';
import { handMadeModel, type ModelChunk, type PromptView } from '../hand-made-model';

type Step = { chunk: ModelChunk } | { end: true } | { error: unknown };

/**
 * One model call whose stream the test drives step by step: `send` a chunk,
 * `callTool`, `end` the stream, or `fail` it. Like a real model, it throws the signal's
 * reason once aborted.
 */
export class ScriptedCall {
  private readonly steps: Step[] = [];
  private wake: (() => void) | null = null;
  private idlers: (() => void)[] = [];
  /** Chunks handed to the consumer so far. */
  produced = 0;
  /** The consumer has stopped reading (finished, thrown or returned). */
  closed = false;

  readonly messages: ModelMessage[];

  constructor(
    /** What the model was asked: the conversation, the tools offered, the results it is given. */
    readonly prompt: PromptView,
    readonly signal: AbortSignal,
  ) {
    this.messages = prompt.messages;
    signal.addEventListener('abort', () => this.poke(), { once: true });
  }

  send(...chunks: string[]): void {
    for (const chunk of chunks) this.steps.push({ chunk });
    this.poke();
  }

  /** The model calls a tool (the loop runs it, or asks for approval, once this call ends). */
  callTool(toolName: string, input: unknown): void {
    this.steps.push({ chunk: { toolName, input } });
    this.poke();
  }

  end(): void {
    this.steps.push({ end: true });
    this.poke();
  }

  fail(error: unknown): void {
    this.steps.push({ error });
    this.poke();
  }

  /** Resolves once the consumer has taken every chunk sent so far and asks for more. */
  drained(): Promise<void> {
    if (this.wake && this.steps.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  async *chunks(): AsyncGenerator<ModelChunk> {
    try {
      for (;;) {
        if (this.signal.aborted) throw this.signal.reason;
        const step = this.steps.shift();
        if (!step) {
          const idlers = this.idlers;
          this.idlers = [];
          for (const idle of idlers) idle();
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        if ('error' in step) throw step.error;
        if ('end' in step) return;
        this.produced++;
        yield step.chunk;
      }
    } finally {
      this.closed = true;
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** A ModelProvider whose every call is a ScriptedCall; `nextCall()` resolves when the assistant makes it. */
export function scriptedModel() {
  const calls: ScriptedCall[] = [];
  let waiters: (() => void)[] = [];
  let taken = 0;
  const model = handMadeModel({ provider: 'scripted', model: 'scripted-1' }, (prompt, signal) => {
    const call = new ScriptedCall(prompt, signal);
    calls.push(call);
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
    return call.chunks();
  });
  return {
    model,
    calls,
    /** The next call not yet handed out by nextCall(), once the assistant makes it. */
    nextCall(): Promise<ScriptedCall> {
      const index = taken++;
      return new Promise((resolve) => {
        const check = () => {
          const call = calls[index];
          if (call) resolve(call);
          else waiters.push(check);
        };
        check();
      });
    },
  };
}
