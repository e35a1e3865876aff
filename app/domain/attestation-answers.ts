import { createHash } from "node:crypto";
import { canonicalJson } from "./audit-chain";
import type { Control } from "./attestation-template";

// Answer kinds (issue 4 point 1) and what counts as a valid answer to each; the canonical form of a
// set of answers, whose SHA-256 a receipt binds.

export const YES_NO_VALUES = ["yes", "no", "partial", "n/a"] as const;
export const YES_NO_LABELS: Record<(typeof YES_NO_VALUES)[number], string> = { yes: "Yes", no: "No", partial: "Partial", "n/a": "Not applicable" };

export type Answer = { controlId: string; value: string | null; comment: string | null };

/** A problem with one answer's value, or null when it is acceptable (a blank value is "not answered yet", not an error). */
export function answerProblem(control: Control, value: string | null | undefined): string | null {
  const v = value?.trim() ?? "";
  if (v === "") return null;
  switch (control.answerKind) {
    case "yes_no":
      return (YES_NO_VALUES as readonly string[]).includes(v) ? null : "Choose yes, no, partial or not applicable";
    case "choice":
      return control.choices?.includes(v) ? null : "Choose one of the options";
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v) ? null : "Use a date such as 2026-01-31";
    case "text":
      return v.length <= 2000 ? null : "At most 2000 characters";
  }
}

/** The answers in template order, trimmed, blanks as null: the document the receipt's hash covers. */
export function canonicalAnswers(controls: readonly Control[], answers: readonly Answer[]): Answer[] {
  const byId = new Map(answers.map((a) => [a.controlId, a]));
  return controls.map((c) => {
    const a = byId.get(c.id);
    const value = a?.value?.trim() || null;
    const comment = a?.comment?.trim() || null;
    return { controlId: c.id, value, comment };
  });
}

export function answersSha256(controls: readonly Control[], answers: readonly Answer[]): string {
  return createHash("sha256").update(canonicalJson(canonicalAnswers(controls, answers))).digest("hex");
}
