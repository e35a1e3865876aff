import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Line } from "@visx/shape";
import type { AgeBin, PolicyLine } from "~/domain/chart-data";
import { CHART, ChartFigure, px, tickLabel } from "./chart-figure";

/** Live credentials by age since issue or last rotation, with each tier's maximum age drawn as a line. */
export function AgeHistogram({ id, bins, policyLines }: { id: string; bins: readonly AgeBin[]; policyLines: readonly PolicyLine[] }) {
  const { width, height, margin } = CHART;
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const x = scaleBand<string>({ domain: bins.map((b) => b.label), range: [0, innerW], padding: 0.15 });
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const y = scaleLinear<number>({ domain: [0, maxCount], range: [innerH, 0], nice: true });
  // A policy line sits at the left edge of the bin that starts at (or contains) its day count.
  const lineX = (days: number) => {
    const bin = bins.find((b) => days >= b.fromDays && (b.toDays === null || days < b.toDays)) ?? bins[bins.length - 1];
    if (!bin) return 0;
    const start = x(bin.label) ?? 0;
    const span = bin.toDays === null ? 1 : (days - bin.fromDays) / (bin.toDays - bin.fromDays);
    return start + Math.min(1, span) * x.bandwidth();
  };
  const total = bins.reduce((s, b) => s + b.count, 0);
  const over = (days: number) => bins.filter((b) => b.fromDays >= days).reduce((s, b) => s + b.count, 0);
  return (
    <ChartFigure
      id={id}
      title="Credential age against the rotation policy"
      summary={`${total} live credentials by days since issue or last rotation; ${policyLines.map((p) => `${over(p.days)} at or past ${p.label} (${p.days} days)`).join(", ")}.`}
      legend={[
        { label: "Credentials", className: "chart-fill-primary" },
        { label: "Policy maximum age", className: "chart-fill-policy" },
      ]}
      svg={
        <Group left={margin.left} top={margin.top}>
          {bins.map((b) => {
            const h = innerH - y(b.count);
            return (
              <rect key={b.label} x={px(x(b.label) ?? 0)} y={px(innerH - h)} width={px(x.bandwidth())} height={px(h)} className="chart-fill-primary">
                <title>{`${b.label} days: ${b.count}`}</title>
              </rect>
            );
          })}
          {policyLines.map((p) => (
            <g key={p.label}>
              <Line from={{ x: px(lineX(p.days)), y: 0 }} to={{ x: px(lineX(p.days)), y: innerH }} className="chart-policy-line" strokeDasharray="4 3" />
              <text x={px(lineX(p.days) + 4)} y={10} className="chart-annotation">{`${p.label}: ${p.days} d`}</text>
            </g>
          ))}
          <AxisLeft scale={y} numTicks={4} tickComponent={tickLabel} tickFormat={(v) => String(v)} />
          <AxisBottom top={innerH} scale={x} tickComponent={tickLabel} />
        </Group>
      }
      table={{ columns: ["Age (days)", "Credentials"], rows: bins.map((b) => [b.label, b.count]) }}
    />
  );
}
