import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import { CHART, ChartFigure, shortDay, tickLabel } from "./chart-figure";

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
          {days.map((d) => {
            let base = 0;
            return series.map((se) => {
              const v = value(d, se.key);
              if (v === 0) return null;
              const y0 = y(base);
              base += v;
              const y1 = y(base);
              return (
                <Bar key={`${d.day}-${se.key}`} x={x(d.day)} y={y1} width={x.bandwidth()} height={y0 - y1} className={se.className}>
                  {/* hover labels for a month at most; longer series are read from the data table */}
                  {days.length <= 31 ? <title>{`${d.day} ${se.label}: ${v}`}</title> : null}
                </Bar>
              );
            });
          })}
          <AxisLeft scale={y} numTicks={4} tickComponent={tickLabel} tickFormat={(v) => String(v)} />
          <AxisBottom top={innerH} scale={x} tickComponent={tickLabel} tickValues={days.filter((_, i) => i % every === 0).map((d) => d.day)} tickFormat={shortDay} />
        </Group>
      }
      table={{ columns: ["Day", ...series.map((s) => s.label)], rows: days.map((d) => [d.day, ...series.map((s) => value(d, s.key))]) }}
    />
  );
}
