// Triage of flags (issue 7 point 3): the forms' schemas, which status change each action makes, and the
// timeline's buckets. Pure: the model (app/models/flag.server.ts) applies them.

import { z } from "zod";
import { blankToUndefined } from "../form-errors";
import { RULE_IDS, SEVERITY_ORDER, type Severity } from "./types";

export const FLAG_STATUS_VALUES = ["open", "acknowledged", "escalated", "resolved", "false_positive"] as const;
export type FlagStatusValue = (typeof FLAG_STATUS_VALUES)[number];
export const SEVERITIES = Object.keys(SEVERITY_ORDER) as Severity[];
export const LIVE_FLAG_STATUSES: readonly FlagStatusValue[] = ["open", "acknowledged", "escalated"];

const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max, `At most ${max} characters`).optional());
const requiredText = (max: number, missing: string) => z.preprocess((v) => (typeof v === "string" ? v.trim() : v), z.string({ error: missing }).min(1, missing).max(max, `At most ${max} characters`));
const day = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), "Not a real date")
    .optional(),
);

/** The queue's query string; blanks ignored. */
export const FlagFilterSchema = z
  .object({
    severity: z.preprocess(blankToUndefined, z.enum(SEVERITIES as [Severity, ...Severity[]], { error: "Pick a severity" }).optional()),
    rule: z.preprocess(blankToUndefined, z.enum(RULE_IDS, { error: "Pick a rule" }).optional()),
    org: optionalText(80),
    status: z.preprocess(blankToUndefined, z.enum([...FLAG_STATUS_VALUES, "live", "all"], { error: "Pick a status" }).optional()),
    from: day,
    to: day,
    page: z.preprocess(blankToUndefined, z.coerce.number().int().positive().max(100_000).optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "The start date is after the end date", path: ["to"] });
export type FlagFilter = z.infer<typeof FlagFilterSchema>;

export const SUPPRESS_SCOPES = ["none", "credential", "ip"] as const;

/** The detail page's forms, one per intent. */
export const FlagActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("acknowledge"), note: optionalText(2000) }),
    z.object({ intent: z.literal("assign"), assigneeId: requiredText(64, "Pick someone to assign") }),
    z.object({ intent: z.literal("escalate"), note: requiredText(2000, "Say why it is escalated") }),
    z.object({ intent: z.literal("resolve"), reason: requiredText(2000, "Give the resolution") }),
    z
      .object({
        intent: z.literal("false_positive"),
        reason: requiredText(2000, "Say why this is not an attack"),
        suppress: z.preprocess((v) => blankToUndefined(v) ?? "none", z.enum(SUPPRESS_SCOPES, { error: "Pick what to suppress" })),
        days: z.preprocess(blankToUndefined, z.coerce.number({ error: "Enter a number of days" }).int("Whole days").min(1, "At least 1 day").max(365, "At most 365 days").optional()),
      })
      .refine((v) => v.suppress === "none" || v.days !== undefined, { message: "Enter for how many days", path: ["days"] }),
    z.object({ intent: z.literal("note"), body: requiredText(4000, "Write the note") }),
    z.object({ intent: z.literal("suspend"), reason: requiredText(500, "Give a reason") }),
    z.object({ intent: z.literal("revoke"), reason: requiredText(500, "Give a reason"), confirm: z.literal("yes", { error: "Tick the box: revoking cannot be undone" }) }),
    z.object({ intent: z.literal("respond"), body: requiredText(4000, "Write your response") }),
  ],
  { error: "Unknown action" },
);
export type FlagAction = z.infer<typeof FlagActionSchema>;
export type FlagIntent = FlagAction["intent"];

/** The status an action moves a flag to, or null when the action leaves the status alone. */
export function nextStatus(intent: FlagIntent): FlagStatusValue | null {
  switch (intent) {
    case "acknowledge":
      return "acknowledged";
    case "escalate":
      return "escalated";
    case "resolve":
      return "resolved";
    case "false_positive":
      return "false_positive";
    default:
      return null;
  }
}

/** Why `intent` cannot be applied to a flag in `status`, or null when it can. */
export function triageRefusal(intent: FlagIntent, status: FlagStatusValue): string | null {
  const closed = status === "resolved" || status === "false_positive";
  if (intent === "acknowledge" && status !== "open") return "Only an open flag can be acknowledged.";
  if (intent === "escalate" && (closed || status === "escalated")) return closed ? "This flag is closed." : "This flag is already escalated.";
  if ((intent === "resolve" || intent === "false_positive" || intent === "assign") && closed) return "This flag is closed.";
  return null;
}

/** Sort key: severity first (critical first), then recency. */
export function severityRank(s: Severity): number {
  return SEVERITY_ORDER[s];
}

export type TimelineBucket = { start: number; end: number; ok: number; clientError: number; serverError: number; other: number };

/**
 * Requests per time bucket between `from` and `to` (inclusive), split by status class, for the flag's
 * chart: 2xx/3xx "ok", 4xx "clientError", 5xx "serverError". At least one bucket; buckets are whole seconds.
 */
export function timelineBuckets(events: readonly { ts: number; status: number }[], from: number, to: number, count = 30): TimelineBucket[] {
  const span = Math.max(1000, to - from + 1);
  const size = Math.max(1000, Math.ceil(span / count / 1000) * 1000);
  const n = Math.max(1, Math.ceil(span / size));
  const out: TimelineBucket[] = Array.from({ length: n }, (_, i) => ({ start: from + i * size, end: from + (i + 1) * size, ok: 0, clientError: 0, serverError: 0, other: 0 }));
  for (const e of events) {
    if (e.ts < from || e.ts > to) continue;
    const b = out[Math.min(n - 1, Math.floor((e.ts - from) / size))];
    if (e.status >= 200 && e.status < 400) b.ok++;
    else if (e.status >= 400 && e.status < 500) b.clientError++;
    else if (e.status >= 500) b.serverError++;
    else b.other++;
  }
  return out;
}

/** A new flag of this severity is notified (outbox: Slack-compatible text and generic JSON). */
export function isNotifiable(s: Severity): boolean {
  return SEVERITY_ORDER[s] >= SEVERITY_ORDER.high;
}

/** The notification's one-line text (Slack's `text`). */
export function flagNotificationText(f: { rule: string; severity: Severity; summary: string; subject: string; url: string | null }): string {
  return `[${f.severity.toUpperCase()}] ${f.rule} on ${f.subject}: ${f.summary}${f.url ? ` ${f.url}` : ""}`;
}

/**
 * Flags of one credential grouped for its page: a flag joins the current group when it was last seen
 * within an hour of the group's newest flag (input newest first), so one incident reads as one group.
 */
export function groupWithinHour<T extends { lastSeen: number }>(flagsNewestFirst: readonly T[], hourMs = 3_600_000): { from: number; to: number; flags: T[] }[] {
  const groups: { from: number; to: number; flags: T[] }[] = [];
  for (const f of flagsNewestFirst) {
    const g = groups[groups.length - 1];
    if (g && g.from - f.lastSeen <= hourMs) {
      g.flags.push(f);
      g.from = Math.min(g.from, f.lastSeen);
    } else groups.push({ from: f.lastSeen, to: f.lastSeen, flags: [f] });
  }
  return groups;
}
