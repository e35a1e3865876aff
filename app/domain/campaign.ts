import { z } from "zod";
import { canonicalJson } from "./audit-chain";
import { ALL_ENDPOINTS, expandModels, type CatalogModelRef } from "./grant";
import { DAY_MS } from "./credential-policy";
import { blankToUndefined } from "./form-errors";
import { ORG_TIERS } from "./organization";

// Access review campaigns (issue 5): scope selection, differential mode, decision rules. Pure; `now` passed in.

export const CAMPAIGN_MODES = ["full", "differential"] as const;
export const UNDECIDED_RULES = ["keep", "revoke"] as const;
export const DECISIONS = ["keep", "revoke", "narrow", "unsure"] as const;
export type Decision = (typeof DECISIONS)[number];
export const DECISION_LABELS: Record<Decision, string> = { keep: "Keep", revoke: "Revoke", narrow: "Narrow grant", unsure: "Unsure" };
export const ITEM_FILTERS = ["unused", "overdue", "shared", "flagged", "undecided", "mine"] as const;
export type ItemFilter = (typeof ITEM_FILTERS)[number];
export const ITEM_FILTER_LABELS: Record<ItemFilter, string> = { unused: "Unused", overdue: "Rotation overdue", shared: "Shared with contractors", flagged: "Has open flags", undecided: "Undecided", mine: "Assigned to me" };

const day = z
  .string({ message: "Give a date" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date");
const list = z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v.filter((x) => x !== "") : [v]), z.array(z.string().trim().min(1).max(120)).max(200));

/** The new-campaign form. */
export const CampaignCreateSchema = z
  .object({
    name: z.string({ message: "Give the campaign a name" }).trim().min(3, "At least 3 characters").max(120, "At most 120 characters"),
    orgs: list,
    tiers: z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(ORG_TIERS, { message: "Unknown tier" }))),
    models: list,
    reviewer: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()),
    firstPass: z.preprocess((v) => v === "yes" || v === "on" || v === true, z.boolean()),
    mode: z.enum(CAMPAIGN_MODES, { message: "Choose full or differential" }).default("full"),
    undecidedRule: z.enum(UNDECIDED_RULES, { message: "Choose what happens to undecided items" }).default("keep"),
    opensOn: day,
    dueOn: day,
    recurrenceDays: z.preprocess(blankToUndefined, z.coerce.number({ message: "A number of days" }).int("Whole days").min(7, "At least 7 days").max(730, "At most 730 days").optional()),
  })
  .superRefine((v, ctx) => {
    if (v.dueOn <= v.opensOn) ctx.addIssue({ code: "custom", path: ["dueOn"], message: "The due date must be after the opening date" });
    if (v.recurrenceDays !== undefined && daysBetween(v.opensOn, v.dueOn) > v.recurrenceDays)
      ctx.addIssue({ code: "custom", path: ["recurrenceDays"], message: "A campaign must be due before the next one opens" });
  });
export type CampaignCreate = z.infer<typeof CampaignCreateSchema>;

export const dayStart = (d: string) => new Date(`${d}T00:00:00.000Z`);
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (d: string, n: number) => isoDay(new Date(dayStart(d).getTime() + n * DAY_MS));
export const daysBetween = (a: string, b: string) => Math.round((dayStart(b).getTime() - dayStart(a).getTime()) / DAY_MS);

/** Names typed in one box ("opus-4, sonnet-4") or sent as repeated fields. */
const names = z.preprocess((v) => (Array.isArray(v) ? v : typeof v === "string" ? v.split(/[\s,]+/) : []).filter((x) => x !== ""), z.array(z.string().trim().min(1).max(120)).max(200));

/** One decision on an item: a comment is required for revoke and unsure; narrow names the new grant. */
export const DecisionSchema = z
  .object({
    decision: z.enum(DECISIONS, { message: "Choose keep, revoke, narrow or unsure" }),
    comment: z.preprocess(blankToUndefined, z.string().trim().max(2000, "At most 2000 characters").optional()),
    models: names,
    endpoints: names,
  })
  .superRefine((v, ctx) => {
    if ((v.decision === "revoke" || v.decision === "unsure") && !v.comment) ctx.addIssue({ code: "custom", path: ["comment"], message: `A comment is required to ${v.decision === "revoke" ? "revoke" : "mark unsure"}` });
    if (v.decision === "narrow" && v.models.length === 0) ctx.addIssue({ code: "custom", path: ["models"], message: "Name the models the narrowed grant keeps" });
  });
export type DecisionInput = z.infer<typeof DecisionSchema>;

// ---- Scope ----

export type CampaignScope = { orgIds: readonly string[]; tiers: readonly string[]; models: readonly string[] };
export type ScopeCandidate = { orgId: string; orgTier: string; status: string; grantModels: readonly string[] };

/**
 * Is this credential in the campaign's scope? Only active and suspended credentials are reviewed
 * (revoked and expired ones hold no access). Each non-empty criterion must hold: organisation among
 * the chosen ones, tier among the chosen ones, and the grant reaching at least one chosen model
 * ("@ga" reaches every GA model). An empty scope is "all active credentials".
 */
export function inCampaignScope(c: ScopeCandidate, scope: CampaignScope, catalog: readonly CatalogModelRef[]): boolean {
  if (c.status !== "active" && c.status !== "suspended") return false;
  if (scope.orgIds.length && !scope.orgIds.includes(c.orgId)) return false;
  if (scope.tiers.length && !scope.tiers.includes(c.orgTier)) return false;
  if (scope.models.length) {
    const reach = expandModels(c.grantModels, catalog);
    if (!scope.models.some((m) => reach.includes(m))) return false;
  }
  return true;
}

// ---- Differential mode ----

export type ReviewableFacts = {
  keyId: string;
  holder: string | null;
  grantModels: readonly string[];
  grantEndpoints: readonly string[];
  storage: string;
  environment: string;
  status: string;
  sharedWith: readonly string[];
  lastRotatedAt: Date | null;
};

/** The facts a reviewer certifies, in one canonical string: unchanged facts give the same digest (use is not one of them). */
export function factsDigest(f: ReviewableFacts): string {
  return canonicalJson({
    keyId: f.keyId,
    holder: f.holder,
    models: [...f.grantModels].sort(),
    endpoints: [...f.grantEndpoints].sort(),
    storage: f.storage,
    environment: f.environment,
    status: f.status,
    sharedWith: [...f.sharedWith].sort(),
    lastRotatedAt: f.lastRotatedAt ? f.lastRotatedAt.toISOString() : null,
  });
}

/**
 * Differential mode: of the candidates, those new since the series' last closed campaign (not in it)
 * or changed (their facts' digest differs from the one recorded then). With no closed campaign in the
 * series, every candidate (the first run of a differential series is a full review).
 */
export function differentialSelection<T extends { credentialId: string; digest: string }>(candidates: readonly T[], previous: ReadonlyMap<string, string> | null): T[] {
  if (!previous) return [...candidates];
  return candidates.filter((c) => previous.get(c.credentialId) !== c.digest);
}

// ---- Snapshot ----

export type CampaignSnapshot = {
  keyId: string;
  label: string;
  orgSlug: string;
  orgName: string;
  orgTier: string;
  holder: string | null;
  grantModels: string[];
  grantEndpoints: string[];
  status: string;
  ageDays: number;
  maxAgeDays: number;
  rotationState: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  neverUsed: boolean;
  usageState: string;
  openFlags: number;
  attestation: string;
  sharedWith: string[];
  storage: string;
};

export function describeGrant(models: readonly string[], endpoints: readonly string[]): string {
  const m = models.length ? models.join(", ") : "no models";
  const e = endpoints.includes(ALL_ENDPOINTS) ? "every endpoint" : endpoints.length ? endpoints.join(", ") : "no endpoints";
  return `${m} · ${e}`;
}

// ---- Decisions and close ----

/** A decided item: a final decision (unsure is not one: it waits for the campaign owner). */
export const isFinal = (d: Decision | null | undefined) => d === "keep" || d === "revoke" || d === "narrow";

/** Items are overdue from the day after the due date while no final decision is recorded. */
export function isOverdue(dueOn: string, now: Date): boolean {
  return now.getTime() >= dayStart(dueOn).getTime() + DAY_MS;
}

/** What closing does to an item without a final decision. */
export function undecidedOutcome(rule: (typeof UNDECIDED_RULES)[number]): { action: "keep" | "revoke"; outcome: string } {
  return rule === "revoke" ? { action: "revoke", outcome: "revoked at close (undecided)" } : { action: "keep", outcome: "kept at close (undecided)" };
}

/** Recurrence: the next campaign of a series opens `recurrenceDays` after this one, due as long after its opening. */
export function nextOccurrence(c: { opensOn: string; dueOn: string; recurrenceDays: number }): { opensOn: string; dueOn: string } {
  return { opensOn: addDays(c.opensOn, c.recurrenceDays), dueOn: addDays(c.dueOn, c.recurrenceDays) };
}
