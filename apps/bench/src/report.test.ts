import { describe, expect, it } from 'vitest';
import { renderMarkdown, withFullRun } from './report';
import { emptyResults } from './results';
import type { SseFanoutResult } from './scenarios';
import { fanoutRun } from './test-fixtures';

/** The Markdown table row whose first cell is `name`, as its cells. */
const row = (markdown: string, name: string) =>
  markdown
    .split('\n')
    .find((line) => line.startsWith(`| ${name} |`))
    ?.split(' | ')
    .slice(1)
    .map((cell) => cell.replace(/ \|$/, ''));

describe('the benchmark report', () => {
  it('shows both tRPC generator rows, each named by its adapter, with its ratio to raw ws', () => {
    const r = emptyResults('test', '2026-12-02');
    r.fanout.push(
      fanoutRun('raw-ws', { cpuUsPerDelivery: 12 }),
      fanoutRun('hubbub', { cpuUsPerDelivery: 15 }),
      fanoutRun('trpc-ws', { cpuUsPerDelivery: 30 }),
      fanoutRun('stock-trpc', { cpuUsPerDelivery: 66, delivered: 345_474 }),
    );
    r.memory.push(
      { server: 'raw-ws', connections: 5000, kbPerConnection: 6.8 },
      { server: 'trpc-ws', connections: 5000, kbPerConnection: 20.4 },
      { server: 'stock-trpc', connections: 5000, kbPerConnection: 52 },
    );
    const md = renderMarkdown(r);
    expect(row(md, 'Hubbub')?.slice(0, 2)).toEqual(['15.00', '1.25×']);
    expect(row(md, 'tRPC generator on @hubbub/trpc-ws')?.slice(0, 2)).toEqual(['30.00', '2.50×']);
    expect(row(md, 'tRPC generator on the stock adapter')).toEqual([
      '66.00',
      '5.50×',
      '49000',
      '10.0',
      '40.0',
      '80.0',
      '345474/500000',
      '15.00',
    ]);
    const memory = md.slice(md.indexOf('### Memory'));
    expect(row(memory, 'tRPC generator on @hubbub/trpc-ws')).toEqual(['20.4', '3.00×']);
    expect(row(memory, 'tRPC generator on the stock adapter')).toEqual(['52.0', '7.65×']);
  });

  it('puts the floor in the fan-out table with a column of ratios to it, and its target in the targets', () => {
    const r = emptyResults('test', '2026-12-03');
    r.fanout.push(
      fanoutRun('raw-ws-floor', { cpuUsPerDelivery: 8 }),
      fanoutRun('raw-ws', { cpuUsPerDelivery: 10 }),
      fanoutRun('hubbub', { cpuUsPerDelivery: 12 }),
    );
    const md = renderMarkdown(r);
    expect(md).toContain('| server | CPU µs / delivery | vs raw ws | vs floor | deliveries/s |');
    expect(row(md, 'raw ws floor: one frame, one write')?.slice(0, 3)).toEqual(['8.00', '0.80×', '1.00×']);
    expect(row(md, 'Hubbub')?.slice(0, 3)).toEqual(['12.00', '1.20×', '1.50×']);
    expect(row(md, 'Hubbub CPU per delivery ≤ 1.2× the floor (1,000 subscribers)')).toEqual([
      '1.50× (12.00 vs 8.00 µs)',
      '**NO**',
    ]);

    const withoutFloor = emptyResults('test', '2026-12-03');
    withoutFloor.fanout.push(fanoutRun('raw-ws', { cpuUsPerDelivery: 10 }), fanoutRun('hubbub'));
    expect(renderMarkdown(withoutFloor)).not.toContain('vs floor');
  });

  it('puts SSE next to Hubbub over WebSocket with its CPU ratio to it, and says when streams were cut', () => {
    const r = emptyResults('test', '2026-12-02');
    const websocket = fanoutRun('hubbub', { cpuUsPerDelivery: 16 });
    const sse: SseFanoutResult = {
      ...fanoutRun('hubbub', { cpuUsPerDelivery: 40, p99: 120, delivered: 499_000 }),
      streamsEnded: 2,
    };
    r.sse = { websocket, sse };
    const md = renderMarkdown(r);
    expect(md).toContain('### Server-Sent Events: Hubbub, 1000 subscribers, 500 messages at 50/s');
    expect(md).toContain('| transport | CPU µs / delivery | vs WebSocket |');
    expect(row(md, 'WebSocket (channel.onEvent)')?.slice(0, 2)).toEqual(['16.00', '1.00×']);
    expect(row(md, 'SSE (GET /trpc/channel.onEvent)')).toEqual([
      '40.00',
      '2.50×',
      '49000',
      '10.0',
      '120.0',
      '80.0',
      '499000/500000 (2 streams cut)',
      '15.00',
    ]);

    r.sse = { websocket, sse: { ...sse, delivered: 500_000, streamsEnded: 0 } };
    expect(row(renderMarkdown(r), 'SSE (GET /trpc/channel.onEvent)')?.[6]).toBe('500000/500000');
    expect(renderMarkdown(emptyResults('test', '2026-12-02'))).not.toContain('Server-Sent Events');
  });
  it('puts SQLite and PostgreSQL persistence in one table, a row each, and says why PostgreSQL is missing', () => {
    const r = emptyResults('test', '2026-12-03');
    const run = { clients: 32, seconds: 10, ackP50: 4, ackP99: 12.345, cpuUsPerMessage: 150, gapFree: true };
    r.persistence = {
      runs: [
        { ...run, database: 'sqlite', messagesPerSecond: 6000 },
        { ...run, database: 'postgres', messagesPerSecond: 5100.4, gapFree: false },
      ],
    };
    const md = renderMarkdown(r);
    expect(md).toContain('### Persistence: messages sent over WebSocket and stored in SQLite and PostgreSQL');
    expect(row(md, 'SQLite')).toEqual(['32', '6000', '4.00', '12.35', '150.0', 'yes']);
    expect(row(md, 'PostgreSQL')).toEqual(['32', '5100', '4.00', '12.35', '150.0', 'NO']);

    r.persistence = { runs: [{ ...run, database: 'sqlite', messagesPerSecond: 6000 }], postgresSkipped: 'refused' };
    expect(renderMarkdown(r)).toContain('PostgreSQL not measured: refused');
  });
});

describe('a full run writing into benchmarks.md', () => {
  const start = '<!-- a full `pnpm bench` run writes from here -->';
  const end = '<!-- to here -->';
  const doc = `# Benchmarks\n\n## Round two\n\nhand-written\n\n${start}\n\n## old run\n\n${end}\n\n## Round one\n\nalso kept\n`;

  it('replaces only its own section and keeps the hand-written rounds around it', () => {
    const next = withFullRun(doc, '## new run\n\n| a |\n');
    expect(next).toBe(
      `# Benchmarks\n\n## Round two\n\nhand-written\n\n${start}\n\n## new run\n\n| a |\n\n${end}\n\n## Round one\n\nalso kept\n`,
    );
    expect(withFullRun(next, '## new run\n\n| a |\n')).toBe(next);
  });
  it('appends its section, marked, to a page without the markers', () => {
    expect(withFullRun('# Benchmarks\n\nnotes\n', '## run')).toBe(
      `# Benchmarks\n\nnotes\n\n${start}\n\n## run\n\n${end}\n`,
    );
  });
});
