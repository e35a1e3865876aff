import type { Answer } from "./attestation-answers";
import type { Control } from "./attestation-template";

// Scoring and gaps (issue 4 point 4). Pure. A yes/no control scores its weight for "yes", half for
// "partial", nothing for "no" and is left out for "n/a"; other kinds score their weight once answered.
// "no" and "partial" are gaps. Submission needs every control answered and required evidence attached.

export type Gap = { controlId: string; controlText: string; answer: "no" | "partial" };

export type Scoring = {
  /** 0–100, weighted over the controls that count (n/a excluded); null when none count. */
  score: number | null;
  answered: number;
  total: number;
  unanswered: string[];
  missingEvidence: string[];
  gaps: Gap[];
};

export function scoreAttestation(controls: readonly Control[], answers: readonly Answer[], evidenceControlIds: ReadonlySet<string> = new Set()): Scoring {
  const byId = new Map(answers.map((a) => [a.controlId, a.value?.trim() || null]));
  let earned = 0;
  let possible = 0;
  const unanswered: string[] = [];
  const missingEvidence: string[] = [];
  const gaps: Gap[] = [];
  for (const c of controls) {
    const v = byId.get(c.id) ?? null;
    if (v === null) {
      unanswered.push(c.id);
      possible += c.weight;
      continue;
    }
    if (c.answerKind === "yes_no") {
      if (v === "n/a") continue;
      possible += c.weight;
      if (v === "yes") earned += c.weight;
      else if (v === "partial") earned += c.weight / 2;
      if (v === "no" || v === "partial") gaps.push({ controlId: c.id, controlText: c.text, answer: v });
      // Evidence proves a control works: asked for when it is claimed (yes or partial).
      if (c.evidenceRequired && (v === "yes" || v === "partial") && !evidenceControlIds.has(c.id)) missingEvidence.push(c.id);
    } else {
      possible += c.weight;
      earned += c.weight;
      if (c.evidenceRequired && !evidenceControlIds.has(c.id)) missingEvidence.push(c.id);
    }
  }
  return {
    score: possible === 0 ? null : Math.round((earned / possible) * 100),
    answered: controls.length - unanswered.length,
    total: controls.length,
    unanswered,
    missingEvidence,
    gaps,
  };
}

/** Why the attestation cannot be submitted yet, or an empty list. */
export function submissionBlockers(s: Scoring): string[] {
  const out: string[] = [];
  if (s.unanswered.length) out.push(`Answer every control (${s.unanswered.length} left: ${s.unanswered.join(", ")}).`);
  if (s.missingEvidence.length) out.push(`Attach evidence for ${s.missingEvidence.join(", ")}.`);
  return out;
}

/** A gap's default due date: 30 days after the decision for "no", 60 for "partial" (the owner can be changed later). */
export function gapDueDate(gap: Gap, decidedOn: string): string {
  const d = new Date(`${decidedOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + (gap.answer === "no" ? 30 : 60));
  return d.toISOString().slice(0, 10);
}
