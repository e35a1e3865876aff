import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleLinear, scalePoint } from "@visx/scale";
import { CHART, ChartFigure, px, shortDay, tickLabel } from "./chart-figure";
import type { Series } from "./stacked-bars";

/** Daily values as lines (usage: requests, errors, distinct sources; an organisation's risk trend). */
export function LineChart({
  id,
  title,
  summary,
  series,
  days,
  yMax,
}: {
  id: string;
  title: string;
  summary: string;
  series: readonly Series[];
  days: readonly ({ day: string } & Record<string, number | string>)[];
  /** A fixed top of the scale (e.g. 100 for a score); otherwise the data's maximum. */
  yMax?: number;
}) {
  const { width, height, margin } = CHART;
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const x = scalePoint<string>({ domain: days.map((d) => d.day), range: [0, innerW], padding: 0.5 });
  const value = (d: (typeof days)[number], k: string) => Number(d[k] ?? 0);
  const max = yMax ?? Math.max(1, ...days.flatMap((d) => series.map((s) => value(d, s.key))));
  const y = scaleLinear<number>({ domain: [0, max], range: [innerH, 0], nice: yMax === undefined });
  const every = Math.max(1, Math.ceil(days.length / 8));
  return (
    <ChartFigure
      id={id}
      title={title}
      summary={summary}
      legend={series.map((s) => ({ label: s.label, className: s.className }))}
      svg={
        <Group left={margin.left} top={margin.top}>
          {series.map((s) => (
            <g key={s.key}>
              {days.length ? (
                <path d={days.map((d, i) => `${i ? "L" : "M"}${px(x(d.day) ?? 0)} ${px(y(value(d, s.key)))}`).join("")} className={`chart-line ${s.className}`} fill="none" strokeWidth={2} />
              ) : null}
              {days.length <= 31
                ? days.map((d) => (
                    <circle key={d.day} cx={px(x(d.day) ?? 0)} cy={px(y(value(d, s.key)))} r={2.5} className={s.className}>
                      <title>{`${d.day} ${s.label}: ${value(d, s.key)}`}</title>
                    </circle>
                  ))
                : null}
            </g>
          ))}
          <AxisLeft scale={y} numTicks={4} tickComponent={tickLabel} tickFormat={(v) => String(v)} />
          <AxisBottom top={innerH} scale={x} tickComponent={tickLabel} tickValues={days.filter((_, i) => i % every === 0).map((d) => d.day)} tickFormat={shortDay} />
        </Group>
      }
      table={{ columns: ["Day", ...series.map((s) => s.label)], rows: days.map((d) => [d.day, ...series.map((s) => value(d, s.key))]) }}
    />
  );
}
