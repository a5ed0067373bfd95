import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints mostly off the event loop.
 *
 * With the default automatic checkpoint, every thousandth page a commit also
 * copies the WAL into the database file and fsyncs it: on the event loop, that
 * is a pause of several milliseconds that every client waiting for an ack
 * feels. The writing connection turns automatic checkpoints off; a worker
 * thread, on a second connection, copies the bulk (PASSIVE: it never blocks
 * the writer): every `busyIntervalMs` while the WAL fills fast (the last pass
 * found `busyPagesPerSecond` or more written since the one before), every
 * `quietIntervalMs` otherwise. A pass costs an fsync and a copy of every page
 * changed since the last: at a few messages a second, four passes a second
 * cost the process more than the writes they copy (1,110–1,170 → 950–1,030 µs
 * of CPU per message at 50/s).
 *
 * SQLite starts the WAL over only once a checkpoint has copied all of it, and
 * under a steady stream of writes the worker never quite catches up: the WAL
 * would grow without end, and every commit slows down with it. So after each
 * pass the worker hands over to the writer (`finishPass`), which copies the
 * few frames written during the pass; its next transaction starts the WAL from
 * the beginning.
 */
export interface Checkpointer {
  /**
   * Stops after the checkpoint under way, if any, and returns once the worker's
   * connection is closed: the caller may delete the files right after.
   */
  close(): void;
}

export interface CheckpointerOptions {
  /** Between passes while writes come fast. */
  busyIntervalMs?: number;
  /** Between passes otherwise: the WAL then holds at most this long's writes. */
  quietIntervalMs?: number;
  /** A pass that finds the WAL filled this fast (pages a second since the last pass) brings the next one sooner. */
  busyPagesPerSecond?: number;
  /** Runs on the writer's thread after each pass of the worker that copied something. */
  finishPass?: () => void;
  onError?: (message: string) => void;
}

/** How long close() waits for the worker before giving up on it (it is unref'd: it never holds the process). */
const CLOSE_TIMEOUT_MS = 5000;

type WorkerMessage = { type: 'pass' } | { type: 'error'; message: string };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const { busyIntervalMs, quietIntervalMs, busyPagesPerSecond } = workerData;
let timer;
let lastPass = Date.now();
const pass = () => {
  const now = Date.now();
  const elapsed = Math.max(1, now - lastPass);
  lastPass = now;
  let next = quietIntervalMs;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.checkpointed > 0) parentPort.postMessage({ type: 'pass' });
    // The WAL starts over after a pass, so what it holds now came since the last one.
    if (result && (result.log * 1000) / elapsed >= busyPagesPerSecond) next = busyIntervalMs;
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message) });
  }
  timer = setTimeout(pass, next);
};
timer = setTimeout(pass, quietIntervalMs);
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  const closed = new Int32Array(workerData.closed);
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort.close();
});
`;

export function startCheckpointer(file: string, options: CheckpointerOptions = {}): Checkpointer {
  const {
    busyIntervalMs = 250,
    quietIntervalMs = 1000,
    busyPagesPerSecond = 1000,
    finishPass = () => {},
    onError = (message: string) => process.emitWarning(`SQLite checkpoint failed: ${message}`),
  } = options;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The worker sets it once its connection is closed; close() waits on it (synchronously, like Database#close).
  const closed = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, busyIntervalMs, quietIntervalMs, busyPagesPerSecond, closed },
  });
  let exited = false;
  let closing = false;
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'error') return onError(message.message);
    if (closing) return;
    try {
      finishPass();
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
    }
  });
  worker.on('error', (error) => onError(error.message));
  worker.on('exit', () => {
    exited = true;
  });
  // A checkpointer never keeps the process alive on its own.
  worker.unref();
  return {
    close: () => {
      if (closing || exited) return;
      closing = true;
      worker.postMessage('close');
      if (Atomics.wait(new Int32Array(closed), 0, 0, CLOSE_TIMEOUT_MS) === 'timed-out') {
        onError('the checkpoint worker did not close in time');
        void worker.terminate();
      }
    },
  };
}
