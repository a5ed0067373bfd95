import { describe, expect, it } from 'vitest';
import {
  chartGeometry,
  formatDuration,
  niceMax,
  parseJsonInput,
  prettyJson,
  progressCount,
  progressRatio,
  taskTiming,
} from './format';
import { task } from './test-data';

describe('formatDuration', () => {
  it('stays short at every scale', () => {
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(2 * 3_600_000 + 4 * 60_000)).toBe('2h 04m');
    expect(formatDuration(3 * 86_400_000 + 2 * 3_600_000)).toBe('3d 2h');
  });
});

describe('taskTiming', () => {
  const base = task(1);
  const t0 = Date.parse(base.createdAt);

  it('ticks while waiting or running, and is fixed once finished', () => {
    expect(taskTiming(base, t0 + 5000)).toEqual({ kind: 'waiting', ms: 5000, ticking: true });
    const started = new Date(t0 + 1000).toISOString();
    const running = { ...base, status: 'in_progress' as const, startedAt: started };
    expect(taskTiming(running, t0 + 4000)).toEqual({ kind: 'running', ms: 3000, ticking: true });
    const done = { ...running, status: 'completed' as const, completedAt: new Date(t0 + 9000).toISOString() };
    expect(taskTiming(done, t0 + 60_000)).toEqual({ kind: 'took', ms: 8000, ticking: false });
    const never = { ...base, status: 'cancelled' as const, completedAt: started };
    expect(taskTiming(never, t0 + 60_000).kind).toBe('none');
  });
});

describe('progress', () => {
  it('reads current/total, or a step count without a total', () => {
    expect(progressCount(task(1, { progress: { current: 2, total: 3, step: 'x' } }))).toBe('2/3');
    expect(progressCount(task(1, { progress: { current: 4, total: null, step: null } }))).toBe('4 steps');
    expect(progressCount(task(1, { progress: { current: 0, total: null, step: null } }))).toBe('');
    expect(progressRatio(task(1, { progress: { current: 1, total: 4, step: null } }))).toBe(0.25);
    expect(progressRatio(task(1, { progress: { current: 1, total: null, step: null } }))).toBeNull();
    expect(progressRatio(task(1, { status: 'completed', progress: { current: 0, total: null, step: null } }))).toBe(1);
  });
});

describe('parseJsonInput', () => {
  it('accepts empty input and any JSON value', () => {
    expect(parseJsonInput('  ')).toEqual({ ok: true, value: undefined, empty: true });
    expect(parseJsonInput('{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] }, empty: false });
    expect(parseJsonInput('42')).toMatchObject({ ok: true, value: 42 });
  });

  it('says where a syntax error is, without echoing the text', () => {
    const bad = parseJsonInput('{\n  "a": 1,\n}');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toMatch(/^Line 3, column 1: /);
    expect(bad.error).not.toContain('in JSON at position');
    const cut = parseJsonInput('[1, 2');
    expect(cut.ok ? '' : cut.error).toMatch(/^Line 1, column 6: /);
    const token = parseJsonInput('{"a": tru}');
    expect(token.ok ? '' : token.error).not.toContain('is not valid JSON');
  });

  it('rejects JSON over the size limit', () => {
    const big = parseJsonInput(JSON.stringify('x'.repeat(70_000)));
    expect(big.ok ? '' : big.error).toMatch(/Too large/);
  });
});

describe('prettyJson', () => {
  it('indents objects and leaves strings as they are', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson('done')).toBe('done');
    expect(prettyJson(null)).toBe('null');
  });
});

describe('chart geometry', () => {
  it('rounds the top of the scale', () => {
    expect([0, 1, 2, 3, 7, 12, 51].map(niceMax)).toEqual([1, 1, 2, 5, 10, 20, 100]);
  });

  it('lays out one bar per minute, failed stacked on completed, with totals', () => {
    const perMinute = [
      { minute: '2024-01-01T12:00', completed: 0, failed: 0 },
      { minute: '2024-01-01T12:01', completed: 3, failed: 1 },
      { minute: '2024-01-01T12:02', completed: 1, failed: 0 },
      { minute: '2024-01-01T12:03', completed: 0, failed: 2 },
    ];
    const g = chartGeometry(perMinute, 400, 100, 2);
    expect(g.max).toBe(5);
    expect(g.total).toEqual({ completed: 4, failed: 3 });
    expect(g.bars.map((b) => b.x)).toEqual([1, 101, 201, 301]);
    expect(g.bars[1]).toMatchObject({ width: 98, completedHeight: 60, failedHeight: 20 });
    expect(chartGeometry([], 400, 100).bars).toEqual([]);
  });
});
