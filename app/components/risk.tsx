import type { RiskLevel, RiskLine } from "~/domain/risk-score";
import { Badge, type Tone } from "./badge";

const LEVEL_TONES: Record<RiskLevel, Tone> = { low: "good", medium: "info", high: "warn", critical: "bad" };

/** "42 · high" as a badge coloured by level. */
export function RiskBadge({ score, level }: { score: number; level: RiskLevel }) {
  return (
    <Badge tone={LEVEL_TONES[level]}>
      {score} · {level}
    </Badge>
  );
}

/** The score's explanation, one line per finding: "+15: 3 credentials overdue for rotation" (as explainLine). */
export function RiskLines({ lines, score }: { lines: readonly RiskLine[]; score: number }) {
  if (lines.length === 0) return <p className="muted">Nothing adds to the score: no findings.</p>;
  const sum = lines.reduce((s, l) => s + l.points, 0);
  return (
    <>
      <ul className="risk-lines" aria-label="What makes up the score">
        {lines.map((l) => (
          <li key={l.factor} data-factor={l.factor}>
            <span className="risk-points">+{l.points}:</span> {l.text}
          </li>
        ))}
      </ul>
      {sum > score ? <p className="muted">The lines add up to {sum}; the score is capped at {score}.</p> : null}
    </>
  );
}

const ATTESTATION_TONES = { current: "good", due_soon: "info", overdue: "bad", missing: "warn" } as const;
export const ATTESTATION_LABELS = { current: "Current", due_soon: "Due soon", overdue: "Overdue", missing: "Missing" } as const;

export function AttestationBadge({ state }: { state: keyof typeof ATTESTATION_TONES }) {
  return <Badge tone={ATTESTATION_TONES[state]}>{ATTESTATION_LABELS[state]}</Badge>;
}
