import { Badge, type Tone } from "~/components/badge";
import { UtcTime } from "~/components/utc-time";

/** A timeline entry as the loader sends it (domain/credential-lifecycle buildTimeline, dates as ISO strings). */
export type TimelineItem = {
  key: string;
  at: string;
  action: string;
  title: string;
  actor: string | null;
  ip: string | null;
  lines: string[];
  rotation: { oldKeyId: string; newKeyId: string; graceEndsAt: string; inGrace: boolean } | null;
};

const TONES: Record<string, Tone> = {
  "credential.registered": "info",
  "credential.rotated": "good",
  "credential.reactivated": "good",
  "credential.suspended": "warn",
  "credential.grant_narrowed": "info",
  "credential.grant_widened": "warn",
  "credential.revoked": "bad",
  "credential.expired": "neutral",
};

/** The credential's history, newest first: registration, rotations, status and grant changes. */
export function CredentialTimeline({ items }: { items: readonly TimelineItem[] }) {
  if (items.length === 0) return <p className="muted">Nothing recorded yet.</p>;
  return (
    <ol className="credential-timeline">
      {items.map((e) => (
        <li key={e.key} className={`timeline-entry timeline-${e.action.replace(/[^a-z_]/gi, "-")}`}>
          <div className="timeline-head">
            <Badge tone={TONES[e.action] ?? "neutral"}>{e.title}</Badge> <UtcTime iso={e.at} />
            <span className="muted">
              {" "}
              · {e.actor ?? "system"}
              {e.ip ? ` from ${e.ip}` : ""}
            </span>
          </div>
          {e.rotation ? (
            <p className="timeline-rotation">
              <span className="mono">{e.rotation.oldKeyId}</span> → <span className="mono">{e.rotation.newKeyId}</span>
              <span className="muted">
                {" "}
                · old key {e.rotation.inGrace ? "accepted until" : "grace ended"} <UtcTime iso={e.rotation.graceEndsAt} />
              </span>
            </p>
          ) : null}
          {e.lines.length ? (
            <ul className="timeline-lines">
              {e.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
