import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './report';
import { emptyResults } from './results';
import { cpuRatio, medianRound } from './rounds';
import { checkTargets } from './targets';
import { fanoutRun } from './test-fixtures';

const hubbubRounds = [
  fanoutRun('hubbub', { cpuUsPerDelivery: 11, p99: 30 }),
  fanoutRun('hubbub', { cpuUsPerDelivery: 9.5, p99: 20 }),
  fanoutRun('hubbub', { cpuUsPerDelivery: 10, p99: 25 }),
];
const floorRounds = [
  fanoutRun('raw-ws-floor', { cpuUsPerDelivery: 8 }),
  fanoutRun('raw-ws-floor', { cpuUsPerDelivery: 9 }),
  fanoutRun('raw-ws-floor', { cpuUsPerDelivery: 8.5 }),
];

describe('fan-out rounds', () => {
  it('makes a row of the median round, keeping every round in order', () => {
    const row = medianRound(hubbubRounds);
    expect(row.cpuUsPerDelivery).toBe(10);
    // The row's other figures are that round's own, not mixed from several.
    expect(row.p99).toBe(25);
    expect(row.rounds).toEqual([11, 9.5, 10]);
  });

  it('leaves a single run as it was', () => {
    const only = fanoutRun('hubbub', { cpuUsPerDelivery: 12 });
    expect(medianRound([only])).toEqual(only);
    expect(() => medianRound([])).toThrow(/no rounds/);
  });

  it('compares two servers round by round and takes the median ratio', () => {
    const { ratio, ratios } = cpuRatio(medianRound(hubbubRounds), medianRound(floorRounds));
    expect(ratios.map((x) => x.toFixed(3))).toEqual(['1.375', '1.056', '1.176']);
    expect(ratio).toBeCloseTo(10 / 8.5);
  });

  it('compares rows when the rounds do not pair up', () => {
    const single = fanoutRun('raw-ws-floor', { cpuUsPerDelivery: 8 });
    expect(cpuRatio(medianRound(hubbubRounds), single)).toEqual({ ratio: 10 / 8, ratios: [] });
    const two = medianRound(floorRounds.slice(0, 2));
    expect(cpuRatio(medianRound(hubbubRounds), two).ratios).toEqual([]);
  });

  it('checks the floor target on the median of the rounds, and says so in the report', () => {
    const r = emptyResults('test', '2026-12-04');
    r.fanout.push(medianRound(floorRounds), medianRound(hubbubRounds));
    const floorTarget = checkTargets(r).find((t) => t.target.includes('the floor (1,000 subscribers)'));
    expect(floorTarget).toEqual({
      target: 'Hubbub CPU per delivery ≤ 1.2× the floor (1,000 subscribers)',
      figure: '1.18× (median of 3 alternating rounds: 1.38, 1.06, 1.18)',
      met: true,
    });
    const report = renderMarkdown(r);
    expect(report).toContain('| 10.00 (rounds 11.00 / 9.50 / 10.00) |');
    expect(report).toContain('raw ws floor: one frame, one write, Hubbub: 3 alternating rounds each');
  });

  it('names the servers that warmed up where nobody heard them, and how many messages they sent', () => {
    const r = emptyResults('test', '2026-12-04');
    r.fanout.push(
      fanoutRun('raw-ws-floor', { warmUp: 4000 }),
      fanoutRun('hubbub', { warmUp: 4000 }),
      fanoutRun('socketio'),
    );
    expect(renderMarkdown(r)).toContain(
      'raw ws floor: one frame, one write, Hubbub: before the run, 4,000 messages that reached no subscriber (`--warm-up`).',
    );
    r.fanout = [fanoutRun('hubbub')];
    expect(renderMarkdown(r)).not.toContain('--warm-up');
  });
});
