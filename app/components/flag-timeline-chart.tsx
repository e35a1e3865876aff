import { AxisBottom, AxisLeft } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar } from "@visx/shape";
import type { TimelineBucket } from "~/domain/detection/triage";

// The flag's event timeline: requests per time bucket, stacked by status class. Rendered on the server
// as plain SVG (no inline style attributes: the CSP forbids them; colours come from classes in app.css),
// with the same numbers as a table for screen readers and text browsers.

const WIDTH = 720;
const HEIGHT = 220;
const M = { top: 12, right: 12, bottom: 36, left: 44 };
const SERIES = [
  { key: "ok", label: "2xx/3xx", className: "tl-ok" },
  { key: "clientError", label: "4xx", className: "tl-client" },
  { key: "serverError", label: "5xx", className: "tl-server" },
] as const;

/** A tick's label as a bare <text> (visx's default wraps it in an <svg style="overflow:visible">, which the CSP refuses). */
function TickLabel({ x, y, anchor, dy, value }: { x: number; y: number; anchor: "end" | "middle"; dy: number; value?: string }) {
  return (
    <text x={x} y={y} dy={dy} textAnchor={anchor} className="tl-tick-label">
      {value}
    </text>
  );
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 19);

export function FlagTimelineChart({ buckets }: { buckets: readonly TimelineBucket[] }) {
  const innerW = WIDTH - M.left - M.right;
  const innerH = HEIGHT - M.top - M.bottom;
  const total = (b: TimelineBucket) => b.ok + b.clientError + b.serverError + b.other;
  const max = Math.max(1, ...buckets.map(total));
  const x = scaleBand<number>({ domain: buckets.map((b) => b.start), range: [0, innerW], padding: 0.15 });
  const y = scaleLinear<number>({ domain: [0, max], range: [innerH, 0], nice: true });
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  return (
    <figure className="flag-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="flag-timeline-caption" className="flag-timeline-svg">
        <Group left={M.left} top={M.top}>
          {buckets.map((b) => {
            let base = 0;
            return SERIES.map((s) => {
              const n = b[s.key];
              if (!n) return null;
              const y0 = y(base);
              base += n;
              const y1 = y(base);
              return <Bar key={`${b.start}-${s.key}`} x={x(b.start) ?? 0} y={y1} width={x.bandwidth()} height={Math.max(1, y0 - y1)} className={s.className} />;
            });
          })}
          <AxisLeft scale={y} numTicks={4} tickFormat={(v) => String(v)} axisClassName="tl-axis" tickClassName="tl-tick" tickComponent={({ x, y, formattedValue }) => <TickLabel x={x} y={y} anchor="end" dy={4} value={formattedValue} />} />
          <AxisBottom top={innerH} scale={x} tickValues={buckets.filter((_, i) => i % every === 0).map((b) => b.start)} tickFormat={(v) => hhmm(Number(v))} axisClassName="tl-axis" tickClassName="tl-tick" tickComponent={({ x, y, formattedValue }) => <TickLabel x={x} y={y} anchor="middle" dy={4} value={formattedValue} />} />
        </Group>
      </svg>
      <figcaption id="flag-timeline-caption">
        Requests over time (UTC), by status:{" "}
        {SERIES.map((s) => (
          <span key={s.key} className="tl-legend">
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" className={s.className} />
            </svg>{" "}
            {s.label}
          </span>
        ))}
      </figcaption>
      <details className="flag-timeline-table">
        <summary>The same as a table</summary>
        <div className="table-wrap">
          <table aria-label="Requests per interval">
            <thead>
              <tr>
                <th scope="col">From (UTC)</th>
                <th scope="col" className="num">2xx/3xx</th>
                <th scope="col" className="num">4xx</th>
                <th scope="col" className="num">5xx</th>
              </tr>
            </thead>
            <tbody>
              {buckets.filter((b) => total(b) > 0).map((b) => (
                <tr key={b.start}>
                  <td className="mono">{new Date(b.start).toISOString().slice(0, 19).replace("T", " ")}</td>
                  <td className="num">{b.ok}</td>
                  <td className="num">{b.clientError}</td>
                  <td className="num">{b.serverError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
