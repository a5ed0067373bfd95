import type { FanoutResult } from './scenarios';
import { percentile } from './stats';

/**
 * The floor target's two servers run the fan-out in alternating rounds (floor, Hubbub, floor, Hubbub, …): one
 * run of each differs by ±15% from the next on these hosts, and a pair run back to back shares the host's
 * state of the moment. The ratio is then the median of the rounds' ratios, each round's pair side by side.
 */
export const ROUNDED_SERVERS: readonly FanoutResult['server'][] = ['raw-ws-floor', 'hubbub'];

/** Rounds of a full run (`--rounds=N` sets it; `--quick` runs one). */
export const DEFAULT_ROUNDS = 3;

/** A server's rounds at one size as one row: the round of median CPU per delivery, with every round's CPU kept. */
export function medianRound(runs: readonly FanoutResult[]): FanoutResult {
  if (runs.length === 0) throw new Error('no rounds to take the median of');
  const byCpu = [...runs].sort((a, b) => a.cpuUsPerDelivery - b.cpuUsPerDelivery);
  const row = byCpu[(runs.length - 1) >> 1] as FanoutResult;
  return runs.length === 1 ? row : { ...row, rounds: runs.map((run) => run.cpuUsPerDelivery) };
}

/**
 * `x`'s CPU per delivery against `y`'s: the median of the rounds' ratios when both ran the same rounds, else the
 * ratio of their rows. `ratios` lists each round's, in order (empty without rounds).
 */
export function cpuRatio(x: FanoutResult, y: FanoutResult): { ratio: number; ratios: number[] } {
  const xs = x.rounds;
  const ys = y.rounds;
  if (!xs || !ys || xs.length !== ys.length) return { ratio: x.cpuUsPerDelivery / y.cpuUsPerDelivery, ratios: [] };
  const ratios = xs.map((cpu, i) => cpu / (ys[i] as number));
  return {
    ratio: percentile(
      [...ratios].sort((a, b) => a - b),
      50,
    ),
    ratios,
  };
}
