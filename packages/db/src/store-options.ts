export interface ChatStoreOptions {
  /** Stream events kept per channel; a resume from further back gets `reset`. */
  retention?: number;
}

export interface TaskStoreOptions {
  /** Task stream events kept; a resume from further back gets `reset`. */
  retention?: number;
  /** Log lines kept per task; older ones are dropped and counted. */
  logsPerTask?: number;
}

export interface PeopleStoreOptions {
  /** Events kept per user stream; a resume from further back gets `reset`. */
  retention?: number;
}
