import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { CHART, ChartFigure, px, shortDay, tickLabel } from "./chart-figure";

export type Series = { key: string; label: string; className: string };

/** Daily counts stacked by series (flags by severity, organisations by attestation state). */
export function StackedBars({
  id,
  title,
  summary,
  series,
  days,
}: {
  id: string;
  title: string;
  summary: string;
  series: readonly Series[];
  days: readonly ({ day: string } & Record<string, number | string>)[];
}) {
  const { width, height, margin } = CHART;
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const x = scaleBand<string>({ domain: days.map((d) => d.day), range: [0, innerW], padding: 0.2 });
  const value = (d: (typeof days)[number], k: string) => Number(d[k] ?? 0);
  const totals = days.map((d) => series.reduce((s, se) => s + value(d, se.key), 0));
  const y = scaleLinear<number>({ domain: [0, Math.max(1, ...totals)], range: [innerH, 0], nice: true });
  const every = Math.max(1, Math.ceil(days.length / 8));
  return (
    <ChartFigure
      id={id}
      title={title}
      summary={summary}
      legend={series}
      svg={
        <Group left={margin.left} top={margin.top}>
          {days.length <= 31
            ? // a month at most: a bar each, with its hover label
              days.map((d) => {
                let base = 0;
                return series.map((se) => {
                  const v = value(d, se.key);
                  if (v === 0) return null;
                  const y0 = y(base);
                  base += v;
                  const y1 = y(base);
                  return (
                    <rect key={`${d.day}-${se.key}`} x={px(x(d.day) ?? 0)} y={px(y1)} width={px(x.bandwidth())} height={px(y0 - y1)} className={se.className}>
                      <title>{`${d.day} ${se.label}: ${v}`}</title>
                    </rect>
                  );
                });
              })
            : // longer series: one path per series (a few elements instead of hundreds), read from the data table
              series.map((se, si) => {
                const w = px(x.bandwidth());
                let d = "";
                days.forEach((day, i) => {
                  const v = value(day, se.key);
                  if (v === 0) return;
                  const below = series.slice(0, si).reduce((s, o) => s + value(days[i], o.key), 0);
                  const y0 = px(y(below));
                  const y1 = px(y(below + v));
                  d += `M${px(x(day.day) ?? 0)} ${y1}h${w}v${px(y0 - y1)}h${-w}z`;
                });
                return d ? <path key={se.key} d={d} className={se.className} /> : null;
              })}
          <AxisLeft scale={y} numTicks={4} tickComponent={tickLabel} tickFormat={(v) => String(v)} />
          <AxisBottom top={innerH} scale={x} tickComponent={tickLabel} tickValues={days.filter((_, i) => i % every === 0).map((d) => d.day)} tickFormat={shortDay} />
        </Group>
      }
      table={{ columns: ["Day", ...series.map((s) => s.label)], rows: days.map((d) => [d.day, ...series.map((s) => value(d, s.key))]) }}
    />
  );
}
