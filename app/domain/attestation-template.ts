import { z } from "zod";

// The control framework (issue 4 point 1): a questionnaire is a list of controls, versioned. Drafts
// are edited with the operations below (pure: they return a new list); a published version is frozen.

export const CONTROL_TYPES = ["preventive", "detective"] as const;
export const CONTROL_NATURES = ["manual", "automated"] as const;
export const ANSWER_KINDS = ["yes_no", "choice", "text", "date"] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

export const ANSWER_KIND_LABELS: Record<AnswerKind, string> = {
  yes_no: "Yes / no / partial / n/a",
  choice: "Single choice",
  text: "Text",
  date: "Date",
};

export type Control = {
  id: string;
  text: string;
  type: (typeof CONTROL_TYPES)[number];
  nature: (typeof CONTROL_NATURES)[number];
  answerKind: AnswerKind;
  /** For answerKind "choice": the options, in order. */
  choices?: string[];
  evidenceRequired: boolean;
  weight: number;
};

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const ControlSchema = z
  .object({
    id: z
      .string({ message: "Enter a control id" })
      .trim()
      .regex(/^[A-Z]{2,4}-\d{2,3}$/, "Use an id such as AC-03 (letters, a dash, digits)"),
    text: z.string({ message: "Enter the control's text" }).trim().min(10, "Describe the control in at least 10 characters").max(600, "At most 600 characters"),
    type: z.enum(CONTROL_TYPES, { message: "Choose preventive or detective" }),
    nature: z.enum(CONTROL_NATURES, { message: "Choose manual or automated" }),
    answerKind: z.enum(ANSWER_KINDS, { message: "Choose an answer kind" }),
    choices: z.preprocess(
      (v) => (typeof v === "string" ? v.split(/\r?\n|;/).map((s) => s.trim()).filter(Boolean) : v),
      z.array(z.string().max(120, "Each choice at most 120 characters")).max(12, "At most 12 choices").optional(),
    ),
    evidenceRequired: z.preprocess((v) => v === true || v === "yes" || v === "on", z.boolean()),
    weight: z.preprocess(blank, z.coerce.number({ message: "Enter a weight" }).int("A whole number").min(1, "At least 1").max(10, "At most 10")),
  })
  .superRefine((c, ctx) => {
    if (c.answerKind === "choice" && (c.choices?.length ?? 0) < 2) ctx.addIssue({ code: "custom", path: ["choices"], message: "A single-choice control needs at least two choices (one a line)" });
  })
  .transform((c): Control => ({ ...c, choices: c.answerKind === "choice" ? c.choices : undefined }));

export type TemplateEdit =
  | { op: "add"; control: Control }
  | { op: "update"; control: Control }
  | { op: "remove"; id: string }
  | { op: "move"; id: string; direction: "up" | "down" };

export type EditResult = { ok: true; controls: Control[] } | { ok: false; field: string; message: string };

/** Applies one edit to a draft's controls. */
export function editControls(controls: readonly Control[], edit: TemplateEdit): EditResult {
  const list = [...controls];
  const at = (id: string) => list.findIndex((c) => c.id === id);
  switch (edit.op) {
    case "add":
      if (at(edit.control.id) >= 0) return { ok: false, field: "id", message: `There is already a control ${edit.control.id}` };
      return { ok: true, controls: [...list, edit.control] };
    case "update": {
      const i = at(edit.control.id);
      if (i < 0) return { ok: false, field: "id", message: `No control ${edit.control.id} in this draft` };
      list[i] = edit.control;
      return { ok: true, controls: list };
    }
    case "remove": {
      const i = at(edit.id);
      if (i < 0) return { ok: false, field: "id", message: `No control ${edit.id} in this draft` };
      if (list.length <= 1) return { ok: false, field: "id", message: "A template keeps at least one control" };
      list.splice(i, 1);
      return { ok: true, controls: list };
    }
    case "move": {
      const i = at(edit.id);
      if (i < 0) return { ok: false, field: "id", message: `No control ${edit.id} in this draft` };
      const j = edit.direction === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= list.length) return { ok: true, controls: list };
      [list[i], list[j]] = [list[j], list[i]];
      return { ok: true, controls: list };
    }
  }
}

export const DEFAULT_TEMPLATE_NAME = "Third-party access controls";

/** The default questionnaire: the design's control list, each with its type, nature and weight. */
export const DEFAULT_CONTROLS: readonly Control[] = [
  { id: "AC-01", text: "Multi-factor authentication is enforced on every account that can reach Keyward-issued credentials.", type: "preventive", nature: "automated", answerKind: "yes_no", evidenceRequired: true, weight: 5 },
  { id: "AC-02", text: "Access to credentials follows least privilege: only named people who need the restricted API can read them.", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: true, weight: 4 },
  { id: "AC-03", text: "Credentials are stored only in a secrets manager (never in source code, chat, tickets, local files or shared drives).", type: "preventive", nature: "automated", answerKind: "yes_no", evidenceRequired: true, weight: 5 },
  { id: "AC-04", text: "Which secrets manager holds the credentials?", type: "preventive", nature: "automated", answerKind: "choice", choices: ["AWS Secrets Manager", "HashiCorp Vault", "Azure Key Vault", "Google Secret Manager", "1Password / Bitwarden", "Other"], evidenceRequired: false, weight: 1 },
  { id: "AC-05", text: "Credentials are never shared with subcontractors or other third parties without the sponsor's written approval.", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: false, weight: 5 },
  { id: "AC-06", text: "Leavers and role changes lose access to credentials within 24 hours (offboarding checklist).", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: true, weight: 4 },
  { id: "LG-01", text: "Use of the credentials is logged (who, when, from where) and the logs are kept at least 90 days.", type: "detective", nature: "automated", answerKind: "yes_no", evidenceRequired: true, weight: 3 },
  { id: "LG-02", text: "Access logs are reviewed for unexpected use at least monthly.", type: "detective", nature: "manual", answerKind: "yes_no", evidenceRequired: true, weight: 3 },
  { id: "LG-03", text: "Date of the last access log review.", type: "detective", nature: "manual", answerKind: "date", evidenceRequired: false, weight: 1 },
  { id: "RT-01", text: "Credentials are rotated on the policy's schedule (at most 30 days for restricted access).", type: "preventive", nature: "automated", answerKind: "yes_no", evidenceRequired: true, weight: 4 },
  { id: "RT-02", text: "Credentials are rotated immediately when someone who could read them leaves or changes role.", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: false, weight: 4 },
  { id: "IR-01", text: "Suspected exposure or misuse of a credential is reported to the sponsor within 24 hours.", type: "detective", nature: "manual", answerKind: "yes_no", evidenceRequired: true, weight: 5 },
  { id: "IR-02", text: "Who is the named incident contact (name, role, phone)?", type: "detective", nature: "manual", answerKind: "text", evidenceRequired: false, weight: 1 },
  { id: "VR-01", text: "Vendor and subcontractor access to the restricted API is reviewed at least quarterly, and unneeded access removed.", type: "detective", nature: "manual", answerKind: "yes_no", evidenceRequired: true, weight: 3 },
  { id: "CF-01", text: "Endpoint URLs, model names and codenames are treated as confidential (not in public repositories, tickets or slides).", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: false, weight: 4 },
  { id: "CF-02", text: "Staff with access have been briefed on the confidentiality of the restricted model within the last 12 months.", type: "preventive", nature: "manual", answerKind: "yes_no", evidenceRequired: false, weight: 2 },
];
