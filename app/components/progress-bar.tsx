import { Badge, type Tone } from "./badge";

/**
 * A labelled <progress> bar (no inline style: the CSP forbids style attributes). `value` out of `max`;
 * without a value the bar is indeterminate (the work has not started or its size is unknown).
 */
export function ProgressBar({ label, value, max = 1000, detail }: { label: string; value: number | null; max?: number; detail?: string }) {
  const percent = value === null ? null : Math.min(100, Math.max(0, Math.floor((value / max) * 100)));
  return (
    <div className="progress-bar">
      <div className="progress-bar-label">
        <span>{label}</span>
        <span className="muted" aria-hidden="true">
          {percent === null ? "…" : `${percent}%`}
          {detail ? ` · ${detail}` : ""}
        </span>
      </div>
      {value === null ? <progress aria-label={label} /> : <progress aria-label={label} value={Math.min(value, max)} max={max} aria-valuetext={`${percent}%${detail ? `, ${detail}` : ""}`} />}
    </div>
  );
}

const IMPORT_TONES: Record<string, Tone> = { queued: "info", running: "info", completed: "good", failed: "bad", interrupted: "warn" };

/** The status of a long-running job such as a log import. */
export function ImportStatusBadge({ status }: { status: string }) {
  return <Badge tone={IMPORT_TONES[status] ?? "neutral"}>{status}</Badge>;
}
