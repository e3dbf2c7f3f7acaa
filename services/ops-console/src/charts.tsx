// Small SVG charts: bars (aging), lines (trends) and stacked bars (aging over time). Each mark
// carries its value as a data attribute and a <title>, and each chart a table for screen readers.

export interface Bar {
  key: string;
  label: string;
  value: number;
  display: string;
  className?: string;
}

const W = 560;

function niceStep(span: number): number {
  const raw = span / 4;
  const exp = Math.pow(10, Math.floor(Math.log10(raw || 1)));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * exp >= raw) return step * exp;
  }
  return 10 * exp;
}

/** A range that starts and ends on round ticks (0 included), and those ticks. */
function niceRange(min: number, max: number): { min: number; max: number; ticks: number[] } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0) || 1;
  const step = niceStep(hi - lo);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const out: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) out.push(Number(v.toFixed(6)));
  return { min: start, max: end, ticks: out };
}

function ticks(min: number, max: number): number[] {
  return niceRange(min, max).ticks;
}

/** Horizontal grid lines with their values, from 0 to ``max``. */
function Grid(props: { max: number; top: number; left: number; plotH: number; format(v: number): string }) {
  const { max, top, left, plotH, format } = props;
  return (
    <>
      {ticks(0, max).map((v) => {
        const y = top + plotH - (v / max) * plotH;
        return (
          <g key={v} className="grid">
            <line x1={left} x2={W - 10} y1={y} y2={y} />
            <text x={left - 6} y={y + 4} textAnchor="end">
              {format(v)}
            </text>
          </g>
        );
      })}
    </>
  );
}

export function BarChart({
  title,
  bars,
  formatAxis,
  testId,
}: {
  title: string;
  bars: Bar[];
  formatAxis(value: number): string;
  testId: string;
}) {
  const H = 240;
  const left = 78;
  const bottom = 40;
  const top = 24;
  const max = niceRange(0, Math.max(...bars.map((b) => b.value), 0)).max;
  const plotW = W - left - 10;
  const plotH = H - top - bottom;
  const slot = plotW / Math.max(bars.length, 1);
  const barW = Math.min(64, slot * 0.6);
  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        <Grid max={max} top={top} left={left} plotH={plotH} format={formatAxis} />
        {bars.map((b, i) => {
          const h = (b.value / max) * plotH;
          const x = left + i * slot + (slot - barW) / 2;
          const y = top + plotH - h;
          return (
            <g key={b.key} className={`bar ${b.className ?? ""}`} data-key={b.key} data-value={b.value}>
              <rect x={x} y={y} width={barW} height={Math.max(h, 0.5)} rx={2}>
                <title>{`${b.label}: ${b.display}`}</title>
              </rect>
              <text className="value" x={x + barW / 2} y={y - 6} textAnchor="middle">
                {b.display}
              </text>
              <text className="label" x={x + barW / 2} y={H - bottom + 18} textAnchor="middle">
                {b.label}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}

export interface Series {
  key: string;
  label: string;
  values: (number | null)[];
  className: string;
}

function Caption({ title, series }: { title: string; series: Series[] }) {
  return (
    <figcaption>
      <span>{title}</span>
      <span className="legend">
        {series.map((s) => (
          <span key={s.key} className={`legend-item ${s.className}`}>
            {s.label}
          </span>
        ))}
      </span>
    </figcaption>
  );
}

export function LineChart({
  title,
  labels,
  series,
  formatValue,
  testId,
  allowNegative,
}: {
  title: string;
  labels: string[];
  series: Series[];
  formatValue(value: number): string;
  testId: string;
  allowNegative?: boolean;
}) {
  const H = 240;
  const left = 56;
  const right = 28;
  const top = 16;
  const bottom = 36;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const range = niceRange(allowNegative ? Math.min(...all, 0) : 0, Math.max(...all, 0));
  const { min, max } = range;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const x = (i: number) => left + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => top + plotH - ((v - min) / (max - min || 1)) * plotH;
  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        {ticks(min, max).map((v) => (
          <g key={v} className="grid">
            <line x1={left} x2={W - right} y1={y(v)} y2={y(v)} />
            <text x={left - 6} y={y(v) + 4} textAnchor="end">
              {formatValue(v)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => (
          <text key={label} className="label" x={x(i)} y={H - bottom + 18} textAnchor="middle">
            {label}
          </text>
        ))}
        {series.map((s) => {
          const segments: string[] = [];
          let pen = "M";
          s.values.forEach((v, i) => {
            if (v === null) {
              pen = "M";
              return;
            }
            segments.push(`${pen}${x(i).toFixed(1)},${y(v).toFixed(1)}`);
            pen = "L";
          });
          return (
            <g key={s.key} className={`series ${s.className}`} data-series={s.key}>
              <path d={segments.join(" ")} fill="none" />
              {s.values.map((v, i) =>
                v === null ? null : (
                  <circle key={i} cx={x(i)} cy={y(v)} r={3.5} data-month={labels[i]} data-value={v}>
                    <title>{`${s.label}, ${labels[i]}: ${formatValue(v)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <Caption title={title} series={series} />
    </figure>
  );
}

export function StackedBars({
  title,
  labels,
  series,
  formatValue,
  testId,
}: {
  title: string;
  labels: string[];
  series: Series[];
  formatValue(value: number): string;
  testId: string;
}) {
  const H = 240;
  const left = 78;
  const top = 16;
  const bottom = 36;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceRange(0, Math.max(...totals, 0)).max;
  const plotW = W - left - 10;
  const plotH = H - top - bottom;
  const slot = plotW / Math.max(labels.length, 1);
  const barW = Math.min(48, slot * 0.6);
  return (
    <figure className="chart" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        <Grid max={max} top={top} left={left} plotH={plotH} format={formatValue} />
        {labels.map((label, i) => {
          let base = top + plotH;
          const x = left + i * slot + (slot - barW) / 2;
          return (
            <g key={label} data-month={label} data-total={totals[i]}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const h = (v / max) * plotH;
                base -= h;
                return (
                  <rect key={s.key} className={s.className} x={x} y={base} width={barW} height={h} data-series={s.key} data-value={v}>
                    <title>{`${label}, ${s.label}: ${formatValue(v)}`}</title>
                  </rect>
                );
              })}
              <text className="label" x={x + barW / 2} y={H - bottom + 18} textAnchor="middle">
                {label}
              </text>
            </g>
          );
        })}
      </svg>
      <Caption title={title} series={series} />
    </figure>
  );
}
