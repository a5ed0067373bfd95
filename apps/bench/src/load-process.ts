import { type ChildProcess, fork } from 'node:child_process';

/**
 * A load process of a sibling bench program (the load spread over several processes, so the load client's
 * own event loop is not what is measured), and a way to ask it one thing and await its answer: it answers
 * every message in order, and says `{ type: 'ready' }` first. `close` sends `{ type: 'close' }` and waits
 * for it to exit.
 */
export class LoadProcess<ToWorker extends { type: string }, ToCoordinator extends { type: string }> {
  private readonly child: ChildProcess;
  private waiting: ((message: ToCoordinator) => void)[] = [];
  readonly ready: Promise<unknown>;

  constructor(workerPath: string) {
    this.child = fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: ToCoordinator) => this.waiting.shift()?.(message));
    this.ready = new Promise((resolve) => this.waiting.push(resolve));
  }

  ask<T extends ToCoordinator['type']>(message: ToWorker): Promise<Extract<ToCoordinator, { type: T }>> {
    return new Promise((resolve) => {
      this.waiting.push(resolve as (message: ToCoordinator) => void);
      this.child.send(message);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'close' });
    });
  }
}
