import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite's WAL checkpoints on a second connection in a worker thread.
 *
 * With the default automatic checkpoint, every thousandth page a commit also
 * copies the WAL into the database file and fsyncs it: on the event loop, that
 * is a pause of several milliseconds that every client waiting for an ack
 * feels. The writing connection turns automatic checkpoints off; this worker
 * checkpoints (PASSIVE: it never blocks the writer) every `intervalMs`, and
 * SQLite rewinds the WAL once a checkpoint has caught up.
 */
export interface Checkpointer {
  /**
   * Stops after the checkpoint under way, if any, and returns once the worker's
   * connection is closed: the caller may delete the files right after.
   */
  close(): void;
}

/** How long close() waits for the worker before giving up on it (it is unref'd: it never holds the process). */
const CLOSE_TIMEOUT_MS = 5000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage(String(error && error.message));
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  const closed = new Int32Array(workerData.closed);
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort.close();
});
`;

export function startCheckpointer(
  file: string,
  intervalMs = 250,
  onError: (message: string) => void = (message) => process.emitWarning(`SQLite checkpoint failed: ${message}`),
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The worker sets it once its connection is closed; close() waits on it (synchronously, like Database#close).
  const closed = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs, closed } });
  let exited = false;
  worker.on('message', onError);
  worker.on('error', (error) => onError(error.message));
  worker.on('exit', () => {
    exited = true;
  });
  // A checkpointer never keeps the process alive on its own.
  worker.unref();
  let closing = false;
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
