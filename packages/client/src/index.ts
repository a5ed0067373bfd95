// The public face of @hubbub/client: the client, the worker loop on top of it, and the transport facts.
export type { AppRouter } from '@hubbub/api';
export { createHubbubClient, type HubbubClient, type HubbubClientOptions } from './hubbub-client';
export { judgeWebSocket, type Transport, WS_FAILING_MS_BEFORE_HTTP, WS_FAILURES_BEFORE_HTTP } from './transport';
export {
  type RunWorkerOptions,
  runWorker,
  type Task,
  type Worker,
  type WorkerContext,
  type WorkerEvent,
} from './worker';
