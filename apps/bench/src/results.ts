import type {
  DeltaResult,
  FanoutResult,
  MemoryResult,
  PersistenceResult,
  SlowConsumerResult,
  SseFanoutResult,
} from './scenarios';
import type { SearchBenchResult } from './search/search-bench';

/** Everything one `pnpm bench` run measured: what the report, the targets and the chart read. */
export interface Results {
  machine: string;
  date: string;
  fanout: FanoutResult[];
  /** Hubbub over Server-Sent Events, with its WebSocket fan-out of the same size and rate from the same run. */
  sse: { sse: SseFanoutResult; websocket: FanoutResult } | null;
  memory: MemoryResult[];
  slow: SlowConsumerResult[];
  persistence: PersistenceResult | null;
  deltas: DeltaResult | null;
  /** Search latency per database (`--only=search`). */
  search?: SearchBenchResult[];
  /** Why a database's search figures are missing, when they are. */
  searchSkipped?: string;
}

/** A run with nothing measured yet. */
export function emptyResults(machine: string, date: string): Results {
  return { machine, date, fanout: [], sse: null, memory: [], slow: [], persistence: null, deltas: null };
}
