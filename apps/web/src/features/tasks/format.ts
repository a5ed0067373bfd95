import { MAX_JSON_BYTES } from '@hubbub/core';
import type { Task, TaskStats } from './types';

/** "0s", "42s", "3m 05s", "2h 04m", "3d 2h": short enough for a table cell. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export interface TaskTiming {
  /** What the time measures. */
  kind: 'waiting' | 'running' | 'took' | 'none';
  ms: number;
  /** True while the number grows by itself (it needs a ticking clock). */
  ticking: boolean;
}

/** How long a task has waited, has been running, or took, at `now`. */
export function taskTiming(task: Task, now: number): TaskTiming {
  const at = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  const created = at(task.createdAt);
  const started = at(task.startedAt);
  const ended = at(task.completedAt);
  if (task.status === 'queued') return { kind: 'waiting', ms: Math.max(0, now - created), ticking: true };
  if (task.status === 'in_progress' || task.status === 'awaiting_approval') {
    return { kind: 'running', ms: Math.max(0, now - (Number.isNaN(started) ? created : started)), ticking: true };
  }
  // Finished (completed, failed, cancelled): a task cancelled before it started never ran.
  if (Number.isNaN(started) || Number.isNaN(ended)) return { kind: 'none', ms: 0, ticking: false };
  return { kind: 'took', ms: Math.max(0, ended - started), ticking: false };
}

/** "2/5", "3 steps" (total unknown) or "" (nothing reported yet). */
export function progressCount(task: Task): string {
  const { current, total } = task.progress;
  if (total) return `${Math.min(current, total)}/${total}`;
  if (current > 0) return `${current} ${current === 1 ? 'step' : 'steps'}`;
  return '';
}

/** 0..1, or null when there is no total to measure against. */
export function progressRatio(task: Task): number | null {
  const { current, total } = task.progress;
  if (task.status === 'completed') return 1;
  if (!total) return null;
  return Math.max(0, Math.min(1, current / total));
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** "14:05:09": log lines and the timeline need seconds. */
export function clockWithSeconds(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : clock.format(date);
}

// ── JSON input ──

export type JsonInput = { ok: true; value: unknown; empty: boolean } | { ok: false; error: string };

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/**
 * Parses the optional input JSON of a new task, with an error a person can
 * act on: where (line, column) and what, without the engine's echo of the text.
 */
export function parseJsonInput(text: string): JsonInput {
  if (!text.trim()) return { ok: true, value: undefined, empty: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const position = raw.match(/at position (\d+)/)?.[1];
    const what =
      raw
        .replace(/\s*\(line \d+ column \d+\)/, '')
        .replace(/\s*in JSON at position \d+/, '')
        .replace(/, ".*" is not valid JSON$/s, '')
        .trim() || 'Not valid JSON';
    const at = position !== undefined ? Number(position) : /end of JSON input/.test(raw) ? text.length : null;
    if (at === null) return { ok: false, error: `${what}.` };
    const { line, column } = lineAndColumn(text, at);
    return { ok: false, error: `Line ${line}, column ${column}: ${what}.` };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > MAX_JSON_BYTES) {
    return {
      ok: false,
      error: `Too large: ${Math.ceil(bytes / 1024)} KB of JSON, the limit is ${MAX_JSON_BYTES / 1024} KB.`,
    };
  }
  return { ok: true, value, empty: false };
}

/** Pretty JSON for result and input panels (strings as they are, so text results read naturally). */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

// ── the throughput chart ──

export interface ChartBar {
  minute: string;
  x: number;
  width: number;
  completed: number;
  failed: number;
  /** Heights in chart units; failed sits on top of completed. */
  completedHeight: number;
  failedHeight: number;
}

export interface ChartGeometry {
  bars: ChartBar[];
  /** The value at the top of the chart (a round number at least as large as the busiest minute). */
  max: number;
  total: { completed: number; failed: number };
}

/** 1, 2, 5, 10, 20, 50…: a round top for the y axis. */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** Bars for the per-minute counts of task.stats, oldest on the left, in a width × height box. */
export function chartGeometry(
  perMinute: TaskStats['perMinute'],
  width: number,
  height: number,
  gap = 2,
): ChartGeometry {
  const busiest = Math.max(0, ...perMinute.map((m) => m.completed + m.failed));
  const max = niceMax(busiest);
  const slot = perMinute.length > 0 ? width / perMinute.length : width;
  const total = { completed: 0, failed: 0 };
  const bars = perMinute.map((m, i) => {
    total.completed += m.completed;
    total.failed += m.failed;
    return {
      minute: m.minute,
      x: i * slot + gap / 2,
      width: Math.max(1, slot - gap),
      completed: m.completed,
      failed: m.failed,
      completedHeight: (m.completed / max) * height,
      failedHeight: (m.failed / max) * height,
    };
  });
  return { bars, max, total };
}

const minuteFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "14:05" for a stats minute key ("2024-01-01T14:05", UTC). */
export function minuteLabel(minute: string): string {
  const date = new Date(`${minute}:00Z`);
  return Number.isNaN(date.getTime()) ? minute : minuteFormat.format(date);
}
