import { describe, expect, it } from "vitest";
import { answerProblem, answersSha256 } from "~/domain/attestation-answers";
import { attestationReminderStage, attestationState, cadenceRequest, gatingBlocks } from "~/domain/attestation-schedule";
import { gapDueDate, scoreAttestation, submissionBlockers } from "~/domain/attestation-scoring";
import { ControlSchema, DEFAULT_CONTROLS, editControls, type Control } from "~/domain/attestation-template";
import { classifyEvidence } from "~/domain/evidence-file";

const yn = (id: string, weight: number, evidenceRequired = false): Control => ({ id, text: `Control ${id} text`, type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired, weight });
const a = (controlId: string, value: string | null) => ({ controlId, value, comment: null });

describe("the default template", () => {
  it("has at least 12 valid controls with unique ids covering the design's list", () => {
    expect(DEFAULT_CONTROLS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DEFAULT_CONTROLS.map((c) => c.id)).size).toBe(DEFAULT_CONTROLS.length);
    for (const c of DEFAULT_CONTROLS) expect(ControlSchema.safeParse({ ...c, evidenceRequired: c.evidenceRequired ? "yes" : "no", choices: c.choices?.join("\n") }).success, c.id).toBe(true);
    const text = DEFAULT_CONTROLS.map((c) => c.text.toLowerCase()).join(" ");
    for (const topic of ["multi-factor", "least privilege", "secrets manager", "subcontractor", "24 hours", "logged", "rotated", "reported", "reviewed", "confidential"]) expect(text).toContain(topic);
    expect(new Set(DEFAULT_CONTROLS.map((c) => c.answerKind))).toEqual(new Set(["yes_no", "choice", "text", "date"]));
  });
});

describe("scoring and gaps", () => {
  const controls = [yn("AC-01", 4, true), yn("AC-02", 2), yn("AC-03", 2), yn("AC-04", 2)];

  it("weights yes fully, partial by half, no by nothing, and leaves n/a out", () => {
    const s = scoreAttestation(controls, [a("AC-01", "yes"), a("AC-02", "partial"), a("AC-03", "no"), a("AC-04", "n/a")], new Set(["AC-01"]));
    // earned 4 + 1 + 0 of possible 4 + 2 + 2 = 8 → 62.5 → 63
    expect(s.score).toBe(63);
    expect(s.answered).toBe(4);
    expect(s.gaps).toEqual([
      { controlId: "AC-02", controlText: "Control AC-02 text", answer: "partial" },
      { controlId: "AC-03", controlText: "Control AC-03 text", answer: "no" },
    ]);
    expect(submissionBlockers(s)).toEqual([]);
  });

  it("counts unanswered controls against the score and blocks submission", () => {
    const s = scoreAttestation(controls, [a("AC-01", "yes")], new Set(["AC-01"]));
    expect(s.unanswered).toEqual(["AC-02", "AC-03", "AC-04"]);
    expect(s.score).toBe(40);
    expect(submissionBlockers(s)[0]).toMatch(/3 left: AC-02, AC-03, AC-04/);
  });

  it("asks for evidence only where a required control is claimed (yes or partial), not for no", () => {
    expect(scoreAttestation(controls, [a("AC-01", "yes")]).missingEvidence).toEqual(["AC-01"]);
    expect(scoreAttestation(controls, [a("AC-01", "partial")]).missingEvidence).toEqual(["AC-01"]);
    expect(scoreAttestation(controls, [a("AC-01", "no")]).missingEvidence).toEqual([]);
  });

  it("gives gaps a due date: 30 days for no, 60 for partial", () => {
    expect(gapDueDate({ controlId: "X", controlText: "", answer: "no" }, "2026-01-31")).toBe("2026-03-02");
    expect(gapDueDate({ controlId: "X", controlText: "", answer: "partial" }, "2026-01-31")).toBe("2026-04-01");
  });

  it("all n/a has no score rather than 0 or 100", () => {
    expect(scoreAttestation([yn("AC-01", 1)], [a("AC-01", "n/a")]).score).toBeNull();
  });
});

describe("answer kinds", () => {
  const choice: Control = { ...yn("AC-09", 1), answerKind: "choice", choices: ["Vault", "Other"] };
  const date: Control = { ...yn("AC-10", 1), answerKind: "date" };
  it("accepts only the kind's values; blank means not answered", () => {
    expect(answerProblem(yn("AC-01", 1), "maybe")).toMatch(/yes, no, partial/);
    expect(answerProblem(yn("AC-01", 1), "partial")).toBeNull();
    expect(answerProblem(choice, "Vault")).toBeNull();
    expect(answerProblem(choice, "vault")).toMatch(/options/);
    expect(answerProblem(date, "2026-02-30")).toMatch(/date/);
    expect(answerProblem(date, "")).toBeNull();
  });
  it("hashes the canonical answers: order and whitespace do not matter, a value does", () => {
    const cs = [yn("AC-01", 1), yn("AC-02", 1)];
    const h = answersSha256(cs, [a("AC-01", "yes"), a("AC-02", "no")]);
    expect(answersSha256(cs, [a("AC-02", " no "), a("AC-01", "yes")])).toBe(h);
    expect(answersSha256(cs, [a("AC-01", "yes"), a("AC-02", "partial")])).not.toBe(h);
  });
});

describe("draft edits", () => {
  const list = [yn("AC-01", 1), yn("AC-02", 1), yn("AC-03", 1)];
  it("adds, refuses duplicates, moves, updates and removes", () => {
    const added = editControls(list, { op: "add", control: yn("AC-04", 3) });
    expect(added.ok && added.controls.map((c) => c.id)).toEqual(["AC-01", "AC-02", "AC-03", "AC-04"]);
    expect(editControls(list, { op: "add", control: yn("AC-01", 3) })).toMatchObject({ ok: false, field: "id" });
    const moved = editControls(list, { op: "move", id: "AC-03", direction: "up" });
    expect(moved.ok && moved.controls.map((c) => c.id)).toEqual(["AC-01", "AC-03", "AC-02"]);
    const updated = editControls(list, { op: "update", control: { ...yn("AC-02", 7), answerKind: "text" } });
    expect(updated.ok && updated.controls[1]).toMatchObject({ weight: 7, answerKind: "text" });
    const removed = editControls(list, { op: "remove", id: "AC-02" });
    expect(removed.ok && removed.controls.map((c) => c.id)).toEqual(["AC-01", "AC-03"]);
    expect(editControls([yn("AC-01", 1)], { op: "remove", id: "AC-01" })).toMatchObject({ ok: false });
  });
  it("a single-choice control needs two choices", () => {
    const r = ControlSchema.safeParse({ id: "AC-20", text: "Which vault is used?", type: "preventive", nature: "manual", answerKind: "choice", choices: "Vault", evidenceRequired: "no", weight: "1" });
    expect(r.success).toBe(false);
  });
});

describe("schedule", () => {
  const now = new Date("2026-03-01T10:00:00Z");
  it("reminds 30, 7 and 1 days before, then daily once overdue", () => {
    expect(attestationReminderStage("2026-04-15", now)).toBeNull();
    expect(attestationReminderStage("2026-03-31", now)).toBe("due-in-30d");
    expect(attestationReminderStage("2026-03-20", now)).toBe("due-in-30d");
    expect(attestationReminderStage("2026-03-08", now)).toBe("due-in-7d");
    expect(attestationReminderStage("2026-03-02", now)).toBe("due-in-1d");
    expect(attestationReminderStage("2026-03-01", now)).toBe("due-in-1d");
    expect(attestationReminderStage("2026-02-27", now)).toBe("overdue-2026-03-01");
  });
  it("states: current, due soon, overdue, missing", () => {
    expect(attestationState({ acceptedUntil: null, openDueDate: null }, now)).toBe("missing");
    expect(attestationState({ acceptedUntil: "2026-06-01", openDueDate: null }, now)).toBe("current");
    expect(attestationState({ acceptedUntil: "2026-03-05", openDueDate: null }, now)).toBe("due_soon");
    expect(attestationState({ acceptedUntil: "2026-06-01", openDueDate: "2026-03-04" }, now)).toBe("due_soon");
    expect(attestationState({ acceptedUntil: "2026-06-01", openDueDate: "2026-02-20" }, now)).toBe("overdue");
    expect(attestationState({ acceptedUntil: "2026-01-01", openDueDate: null }, now)).toBe("overdue");
  });
  it("requests on the cadence: never attested now; otherwise 30 days before the period ends", () => {
    expect(cadenceRequest(null, false, 90, now)).toEqual({ periodStart: "2026-03-01", periodEnd: "2026-05-29", dueDate: "2026-03-31" });
    expect(cadenceRequest({ periodEnd: "2026-05-01" }, false, 90, now)).toBeNull();
    expect(cadenceRequest({ periodEnd: "2026-03-20" }, false, 90, now)).toEqual({ periodStart: "2026-03-21", periodEnd: "2026-06-18", dueDate: "2026-03-20" });
    expect(cadenceRequest({ periodEnd: "2026-03-20" }, true, 90, now)).toBeNull();
  });
  it("gates restricted-tier registrations of restricted models without a current accepted attestation", () => {
    const base = { tier: "restricted" as const, enforce: true, grantsRestricted: true };
    expect(gatingBlocks({ ...base, currentUntil: null }, now)).toBe(true);
    expect(gatingBlocks({ ...base, currentUntil: "2026-02-28" }, now)).toBe(true);
    expect(gatingBlocks({ ...base, currentUntil: "2026-03-01" }, now)).toBe(false);
    expect(gatingBlocks({ ...base, currentUntil: null, enforce: false }, now)).toBe(false);
    expect(gatingBlocks({ ...base, currentUntil: null, grantsRestricted: false }, now)).toBe(false);
    expect(gatingBlocks({ ...base, currentUntil: null, tier: "standard" }, now)).toBe(false);
  });
});

describe("evidence types, by content", () => {
  const text = Buffer.from("a,b\n1,2\n");
  it("accepts the sniffed PDF/PNG/JPEG/XLSX and UTF-8 text; refuses other types whatever the name", () => {
    expect(classifyEvidence({ ext: "pdf", mime: "application/pdf" }, Buffer.from("%PDF-1.7"), "x.txt")).toEqual({ ok: true, mediaType: "application/pdf" });
    expect(classifyEvidence(undefined, text, "list.csv")).toEqual({ ok: true, mediaType: "text/csv" });
    expect(classifyEvidence(undefined, text, "notes")).toEqual({ ok: true, mediaType: "text/plain" });
    expect(classifyEvidence({ ext: "exe", mime: "application/x-msdownload" }, Buffer.from("MZ"), "report.pdf")).toMatchObject({ ok: false, message: expect.stringMatching(/not accepted as evidence: upload PDF, PNG, JPEG, XLSX, TXT or CSV/) });
    expect(classifyEvidence({ ext: "zip", mime: "application/zip" }, Buffer.from("PK\u0003\u0004 word/document.xml"), "x.xlsx")).toMatchObject({ ok: false });
    expect(classifyEvidence({ ext: "xlsx", mime: "x" }, Buffer.from("PK xl/workbook.xml"), "x.xlsx")).toMatchObject({ ok: true });
    expect(classifyEvidence(undefined, Buffer.from([0x61, 0x00, 0x62]), "a.txt")).toMatchObject({ ok: false });
    expect(classifyEvidence(undefined, Buffer.from([0xc3, 0x28]), "a.txt")).toMatchObject({ ok: false });
  });
});
