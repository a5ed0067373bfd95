import type { Results } from './results';
import type { FanoutResult } from './scenarios';
import { SERVER_NAMES } from './server-process';
import { fixed as f } from './stats';
import { isP99TargetCase, P99_TARGET } from './targets';

/** Where `value` falls on a log axis from `min` to `max` drawn `width` wide (clamped to the axis). */
export function logPosition(value: number, min: number, max: number, width: number): number {
  const clamped = Math.min(max, Math.max(min, value));
  return (Math.log10(clamped / min) / Math.log10(max / min)) * width;
}

/** The powers of ten from 1 ms that an axis needs to hold `largest` (at least up to 1 s). */
export function decadesUpTo(largest: number): number[] {
  const top = Math.max(3, Math.ceil(Math.log10(Math.max(largest, 1))));
  return Array.from({ length: top + 1 }, (_, i) => 10 ** i);
}

const WIDTH = 1180;
/** Row names end here, right-aligned: room for the longest (`SERVER_NAMES`) at about 7 px a character. */
export const LABEL_RIGHT = 250;
const CPU_X = LABEL_RIGHT + 10;
const CPU_WIDTH = 250;
const LATENCY_X = CPU_X + 300;
const LATENCY_WIDTH = 300;
const VALUES_X = LATENCY_X + 320;
const ROW = 32;
const HUBBUB = '#5b5bd6';
const OTHER = '#9aa0ae';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const msLabel = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * One panel per fan-out size: server CPU per delivery (linear, with the ratio
 * to raw ws) and publish→receive latency (p50 bar, p99 bar, max tick, on a log
 * axis so the stock adapter's seconds and the others' milliseconds both read).
 */
export function renderChart(r: Results): string {
  const sizes = [...new Set(r.fanout.map((x) => x.subscribers))];
  let y = 20;
  const parts: string[] = [];
  for (const n of sizes) {
    const runs = r.fanout.filter((x) => x.subscribers === n);
    parts.push(panel(runs, y));
    y += 78 + runs.length * ROW;
  }
  const legend = `<g font-size="12" fill="#555">
<rect x="${LATENCY_X}" y="${y}" width="14" height="10" fill="${HUBBUB}"/><text x="${LATENCY_X + 20}" y="${y + 9}">p50</text>
<rect x="${LATENCY_X + 60}" y="${y}" width="14" height="10" fill="${HUBBUB}" opacity="0.4"/><text x="${LATENCY_X + 80}" y="${y + 9}">p99</text>
<rect x="${LATENCY_X + 120}" y="${y - 1}" width="2" height="12" fill="#333"/><text x="${LATENCY_X + 128}" y="${y + 9}">max</text>
<text x="${CPU_X}" y="${y + 30}">${escapeXml(r.machine)}, ${r.date}</text>
</g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 44}" font-family="system-ui, sans-serif" font-size="13" role="img">
<title>Server CPU per delivery and publish→receive latency per server, by fan-out size</title>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
${legend}
</svg>
`;
}

function panel(runs: FanoutResult[], top: number): string {
  const sample = runs[0] as FanoutResult;
  const raw = runs.find((x) => x.server === 'raw-ws');
  const maxCpu = Math.max(...runs.map((x) => x.cpuUsPerDelivery).filter(Number.isFinite), 1);
  const decades = decadesUpTo(Math.max(...runs.map((x) => x.max).filter(Number.isFinite), 1));
  const axisMax = decades[decades.length - 1] as number;
  const at = (ms: number) => LATENCY_X + logPosition(ms, 1, axisMax, LATENCY_WIDTH);
  const rowsTop = top + 40;
  const rowsBottom = rowsTop + runs.length * ROW;
  const out: string[] = [
    `<text x="${LABEL_RIGHT}" y="${top + 4}" text-anchor="end" font-weight="600">${sample.subscribers} subscribers</text>`,
    `<text x="${LABEL_RIGHT}" y="${top + 20}" text-anchor="end" fill="#555">${sample.messages} messages at ${sample.rate}/s</text>`,
    `<text x="${CPU_X}" y="${top + 4}" font-weight="600">Server CPU per delivery</text>`,
    `<text x="${LATENCY_X}" y="${top + 4}" font-weight="600">Publish→receive latency (log scale)</text>`,
  ];
  for (const ms of decades) {
    const x = at(ms).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${rowsTop - 6}" x2="${x}" y2="${rowsBottom}" stroke="#e3e5ea"/>`,
      `<text x="${x}" y="${rowsBottom + 14}" text-anchor="middle" font-size="11" fill="#777">${msLabel(ms)}</text>`,
    );
  }
  if (isP99TargetCase(sample)) {
    const x = at(P99_TARGET.ms).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${rowsTop - 12}" x2="${x}" y2="${rowsBottom}" stroke="#d33" stroke-dasharray="4 3"/>`,
      `<text x="${x}" y="${rowsTop - 16}" text-anchor="middle" font-size="11" fill="#d33">p99 target</text>`,
    );
  }
  runs.forEach((x, i) => {
    const rowY = rowsTop + i * ROW;
    const color = x.server === 'hubbub' ? HUBBUB : OTHER;
    const cpuWidth = (x.cpuUsPerDelivery / maxCpu) * (CPU_WIDTH - 110);
    const ratio = raw ? ` · ${f(x.cpuUsPerDelivery / raw.cpuUsPerDelivery, 2)}×` : '';
    const weight = x.server === 'hubbub' ? ' font-weight="600"' : '';
    out.push(
      `<text x="${LABEL_RIGHT}" y="${rowY + 15}" text-anchor="end"${weight}>${SERVER_NAMES[x.server]}</text>`,
      `<rect x="${CPU_X}" y="${rowY + 3}" width="${cpuWidth.toFixed(1)}" height="16" fill="${color}"/>`,
      `<text x="${(CPU_X + cpuWidth + 6).toFixed(1)}" y="${rowY + 15}">${f(x.cpuUsPerDelivery)} µs${ratio}</text>`,
      `<rect x="${LATENCY_X}" y="${rowY + 3}" width="${(at(x.p99) - LATENCY_X).toFixed(1)}" height="16" fill="${color}" opacity="0.4"/>`,
      `<rect x="${LATENCY_X}" y="${rowY + 3}" width="${(at(x.p50) - LATENCY_X).toFixed(1)}" height="16" fill="${color}"/>`,
      `<rect x="${(at(x.max) - 1).toFixed(1)}" y="${rowY + 1}" width="2" height="20" fill="#333"/>`,
      `<text x="${VALUES_X}" y="${rowY + 15}" font-size="12">p50 ${f(x.p50)} · p99 ${f(x.p99)} · max ${f(x.max)} ms</text>`,
    );
    if (x.delivered < x.expected) {
      out.push(
        `<text x="${VALUES_X}" y="${rowY + 27}" font-size="10" fill="#d33">${x.delivered}/${x.expected} delivered</text>`,
      );
    }
  });
  return out.join('\n');
}
