/** The figures of `pnpm bench:scale` and its targets (issue 16, "Scale"), apart from the run so they can be tested. */

export const SCALE_TARGETS = {
  /** Resident memory per connection, Hubbub over raw `ws`, at most. */
  rssRatio: 1.5,
  /** Authenticated connect + subscribe, connections per second, at least. */
  connectsPerSecond: 2000,
  /** Server CPU per delivery, Hubbub over raw `ws`, at most. */
  cpuRatio: 1.5,
} as const;

/** When one load process began, and its first and last subscription confirmed (absolute ms). */
export interface ConnectWindow {
  startedAt: number;
  first: number;
  last: number;
  subscribed: number;
}

/**
 * Connections per second from the first subscription confirmed to the last, over every load process
 * (the first one's own handshake is not a rate: the clock starts when one is done).
 */
export function connectRate(windows: readonly ConnectWindow[]): number {
  const subscribed = windows.reduce((sum, w) => sum + w.subscribed, 0);
  const timed = windows.filter((w) => w.subscribed > 0);
  if (subscribed < 2 || timed.length === 0) return Number.NaN;
  const first = Math.min(...timed.map((w) => w.first));
  const last = Math.max(...timed.map((w) => w.last));
  return last > first ? ((subscribed - 1) * 1000) / (last - first) : Number.NaN;
}

/** Seconds from the first load process starting to the last subscription confirmed. */
export function connectSeconds(windows: readonly ConnectWindow[]): number {
  const timed = windows.filter((w) => w.subscribed > 0);
  if (timed.length === 0) return Number.NaN;
  return (Math.max(...timed.map((w) => w.last)) - Math.min(...windows.map((w) => w.startedAt))) / 1000;
}

/** Splits `count` items over `parts` as evenly as possible: the sizes of the parts, in order. */
export function shares(count: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(count / parts) + (i < count % parts ? 1 : 0));
}

export interface ScaleFigures {
  kbPerConnection: number;
  connectsPerSecond: number;
  cpuUsPerDelivery: number;
}

export interface Verdict {
  target: string;
  figure: string;
  met: boolean;
}

const x = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–');

/** The three targets, Hubbub against raw `ws` of the same run; a figure not measured is not met. */
export function verdicts(hubbub: ScaleFigures, raw: ScaleFigures): Verdict[] {
  const rss = hubbub.kbPerConnection / raw.kbPerConnection;
  const cpu = hubbub.cpuUsPerDelivery / raw.cpuUsPerDelivery;
  return [
    {
      target: `RSS per connection ≤ ${SCALE_TARGETS.rssRatio}× raw ws`,
      figure: `${hubbub.kbPerConnection.toFixed(1)} KB vs ${raw.kbPerConnection.toFixed(1)} KB = ${x(rss)}`,
      met: rss <= SCALE_TARGETS.rssRatio,
    },
    {
      target: `authenticated connect+subscribe ≥ ${SCALE_TARGETS.connectsPerSecond}/s`,
      figure: `${hubbub.connectsPerSecond.toFixed(0)}/s (raw ws ${raw.connectsPerSecond.toFixed(0)}/s)`,
      met: hubbub.connectsPerSecond >= SCALE_TARGETS.connectsPerSecond,
    },
    {
      target: `fan-out CPU per delivery ≤ ${SCALE_TARGETS.cpuRatio}× raw ws`,
      figure: `${hubbub.cpuUsPerDelivery.toFixed(2)} µs vs ${raw.cpuUsPerDelivery.toFixed(2)} µs = ${x(cpu)}`,
      met: cpu <= SCALE_TARGETS.cpuRatio,
    },
  ];
}
