import type { SystemStatus } from '@hubbub/api';

/** Prometheus text exposition of the figures an operator watches. */
export function renderMetrics(status: SystemStatus): string {
  const mem = process.memoryUsage();
  const gauges: [string, string, number][] = [
    ['hubbub_ws_connections', 'Open WebSocket connections', status.connections],
    ['hubbub_subscriptions', 'Live channel subscriptions', status.subscriptions],
    ['hubbub_active_channels', 'Channels with at least one local subscriber', status.channels],
    ['hubbub_uptime_seconds', 'Seconds since start', status.uptimeS],
    ['process_resident_memory_bytes', 'Resident memory', mem.rss],
    ['nodejs_heap_used_bytes', 'V8 heap in use', mem.heapUsed],
  ];
  const lines = gauges.flatMap(([name, help, value]) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} gauge`,
    `${name} ${value}`,
  ]);
  lines.push(
    '# HELP hubbub_info Build and backends',
    '# TYPE hubbub_info gauge',
    `hubbub_info{version="${status.version}",store="${status.store}",bus="${status.bus}"} 1`,
  );
  return `${lines.join('\n')}\n`;
}
