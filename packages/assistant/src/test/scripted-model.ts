import type { ModelMessage, ModelProvider } from '@hubbub/core';

type Step = { chunk: string } | { end: true } | { error: unknown };

/**
 * One model call whose stream the test drives step by step: `send` a chunk,
 * `end` the stream, or `fail` it. Like a real model, it throws the signal's
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

  constructor(
    readonly messages: ModelMessage[],
    readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.poke(), { once: true });
  }

  send(...chunks: string[]): void {
    for (const chunk of chunks) this.steps.push({ chunk });
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

  async *text(): AsyncGenerator<string> {
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
  const model: ModelProvider = {
    provider: 'scripted',
    model: 'scripted-1',
    stream({ messages, signal }) {
      const call = new ScriptedCall(messages, signal);
      calls.push(call);
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
      return { text: call.text(), usage: async () => ({ outputTokens: call.produced }) };
    },
  };
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
