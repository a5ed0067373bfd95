import { chartGeometry, minuteLabel } from './format';
import type { TaskStats } from './types';

const WIDTH = 600;
const HEIGHT = 96;

/**
 * Runs finished per minute over the last hour (task.stats), as stacked bars:
 * completed below, failed on top. Plain SVG; each bar has a tooltip.
 */
export function ThroughputChart({ stats, loading }: { stats: TaskStats | undefined; loading: boolean }) {
  const perMinute = stats?.perMinute ?? [];
  const g = chartGeometry(perMinute, WIDTH, HEIGHT, 3);
  const totals = stats?.lastHour ?? g.total;
  const first = perMinute[0]?.minute;
  const last = perMinute.at(-1)?.minute;
  const summary = `${totals.completed} completed and ${totals.failed} failed in the last hour`;

  return (
    <figure className="throughput card" data-testid="throughput-chart" aria-label="Throughput over the last hour">
      <figcaption className="throughput-head">
        <span className="card-title">Throughput</span>
        <span className="throughput-totals" data-testid="throughput-totals">
          <span className="legend legend-completed">
            <span aria-hidden="true" className="swatch" />
            {totals.completed} completed
          </span>
          <span className="legend legend-failed">
            <span aria-hidden="true" className="swatch" />
            {totals.failed} failed
          </span>
          <span className="muted">· last hour</span>
        </span>
      </figcaption>
      <div className="throughput-plot">
        <span className="axis-max" aria-hidden="true">
          {g.max}/min
        </span>
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={loading && !stats ? 'Loading throughput' : summary}
        >
          <line className="gridline" x1="0" x2={WIDTH} y1={0.5} y2={0.5} />
          <line className="gridline" x1="0" x2={WIDTH} y1={HEIGHT / 2} y2={HEIGHT / 2} />
          <line className="baseline" x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} />
          {g.bars.map((b) => (
            <g key={b.minute} className="bar">
              <title>{`${minuteLabel(b.minute)} — ${b.completed} completed, ${b.failed} failed`}</title>
              {/* A full-height hit area so the tooltip shows on empty minutes too. */}
              <rect className="bar-hit" x={b.x} y={0} width={b.width} height={HEIGHT} />
              {b.completed > 0 && (
                <rect
                  className="bar-completed"
                  x={b.x}
                  y={HEIGHT - b.completedHeight}
                  width={b.width}
                  height={b.completedHeight}
                />
              )}
              {b.failed > 0 && (
                <rect
                  className="bar-failed"
                  x={b.x}
                  y={HEIGHT - b.completedHeight - b.failedHeight}
                  width={b.width}
                  height={b.failedHeight}
                />
              )}
            </g>
          ))}
        </svg>
        {totals.completed + totals.failed === 0 && (
          <p className="throughput-empty">{loading && !stats ? 'Loading…' : 'No runs finished in the last hour'}</p>
        )}
      </div>
      <div className="throughput-axis" aria-hidden="true">
        <span>{first ? minuteLabel(first) : '−60 min'}</span>
        <span>−30 min</span>
        <span>{last ? `now (${minuteLabel(last)})` : 'now'}</span>
      </div>
    </figure>
  );
}
