import type { ReactNode } from "react";

// The frame every chart shares: a server-rendered SVG (no inline styles: CSP) with a title, and the
// same numbers as a table in <details>, for screen readers and anyone who would rather read.

export const CHART = { width: 640, height: 240, margin: { top: 12, right: 16, bottom: 36, left: 48 } } as const;

export function ChartFigure({
  id,
  title,
  summary,
  svg,
  legend,
  table,
}: {
  id: string;
  title: string;
  /** One sentence saying what the chart shows (the SVG's accessible description). */
  summary: string;
  svg: ReactNode;
  legend?: readonly { label: string; className: string }[];
  table: { columns: readonly string[]; rows: readonly (readonly (string | number)[])[] };
}) {
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${CHART.width} ${CHART.height}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} className="chart-svg" data-chart={id}>
        <desc id={`${id}-desc`}>{summary}</desc>
        {svg}
      </svg>
      {legend && legend.length > 0 ? (
        <ul className="chart-legend">
          {legend.map((l) => (
            <li key={l.label}>
              <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" className={l.className} />
              </svg>{" "}
              {l.label}
            </li>
          ))}
        </ul>
      ) : null}
      <details className="chart-data">
        <summary>Data table</summary>
        <div className="table-wrap">
          <table aria-label={`${title}: data`}>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.length === 0 ? (
                <tr>
                  <td colSpan={table.columns.length} className="empty">
                    No data for this period.
                  </td>
                </tr>
              ) : (
                table.rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((v, j) => (
                      <td key={j} className={typeof v === "number" ? "num" : undefined}>
                        {v}
                      </td>
                    ))}
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Axis tick labels as plain <text> (visx's Text component sets an inline style, which the CSP blocks). */
export function tickLabel({ x, y, formattedValue, textAnchor }: { x: number; y: number; formattedValue?: string; textAnchor?: string }) {
  return (
    <text x={x} y={y} textAnchor={textAnchor as "start" | "middle" | "end" | undefined} className="chart-tick" dy="0.32em">
      {formattedValue}
    </text>
  );
}

/** A short day label: "11-30" for "2026-11-30". */
export const shortDay = (day: string) => day.slice(5);

/** A coordinate to one decimal: enough for a 640-pixel chart, and a third of the bytes of a full float. */
export const px = (n: number) => Math.round(n * 10) / 10;
