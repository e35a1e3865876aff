import { z } from "zod";
import type { CredentialStatus } from "./credential-policy";
import { FingerprintSchema, KeyIdSchema } from "./credential";
import { ALL_ENDPOINTS, ALL_GA } from "./grant";
import { can } from "./permissions";
import type { Role } from "./roles";
import { blankToUndefined } from "./form-errors";

// What may be done to a credential after registration (issue 3, detail page): one rule table used by
// the server (the action refuses) and the page (which forms to show). Pure; `now` is passed in.

export const LIFECYCLE_ACTIONS = ["rotate", "suspend", "reactivate", "revoke", "narrow", "widen"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export type LifecycleActor = { role: Role; orgId: string | null; orgKind?: "partner" | "contractor" | null };
/** `status` is the effective status (credentialHygiene's effectiveStatus): past its expiry date a key counts as expired. */
export type LifecycleTarget = { orgId: string; status: CredentialStatus };

/**
 * Who may try what, ignoring the credential's status. Vendor managers: everything. Security:
 * suspend, reactivate, revoke (containment, any organisation). Partner users (update:credential:own):
 * rotate and narrow the grant of their OWN organisation's credentials only, and its admin may also
 * suspend or revoke them (a leaked key is killed by its holder at once); a partner reads its
 * contractors' credentials but does not act on them. Auditors: nothing.
 */
const INTERNAL_ACTIONS: Partial<Record<Role, readonly LifecycleAction[]>> = {
  vendor_manager: LIFECYCLE_ACTIONS,
  security: ["suspend", "reactivate", "revoke"],
  auditor: [],
};
const HOLDER_ACTIONS: readonly LifecycleAction[] = ["rotate", "narrow"];
// A partner's admin can also kill a leaked key of its own organisation at once (suspend, revoke);
// bringing a suspended key back stays with vendor managers and security.
const HOLDER_ADMIN_ACTIONS: readonly LifecycleAction[] = [...HOLDER_ACTIONS, "suspend", "revoke"];

/** The statuses each action starts from. Revoked and expired are final. */
const FROM_STATUS: Record<LifecycleAction, readonly CredentialStatus[]> = {
  rotate: ["active", "suspended"],
  suspend: ["active"],
  reactivate: ["suspended"],
  revoke: ["active", "suspended"],
  narrow: ["active", "suspended"],
  widen: ["active", "suspended"],
};

export function roleActions(actor: LifecycleActor, target: Pick<LifecycleTarget, "orgId">): Set<LifecycleAction> {
  const internal = INTERNAL_ACTIONS[actor.role];
  if (internal) return new Set(internal);
  if (can(actor, "update:credential:own") && actor.orgId != null && actor.orgId === target.orgId) return new Set(actor.role === "partner_admin" ? HOLDER_ADMIN_ACTIONS : HOLDER_ACTIONS);
  return new Set();
}

export function statusAllows(action: LifecycleAction, status: CredentialStatus): boolean {
  return FROM_STATUS[action].includes(status);
}

/** The actions this actor may take on this credential now (role, tenancy and status). */
export function allowedActions(actor: LifecycleActor, target: LifecycleTarget): Set<LifecycleAction> {
  return new Set([...roleActions(actor, target)].filter((a) => statusAllows(a, target.status)));
}

/** Why an action is refused: "forbidden" (403: not this user's to do) or "state" (400: not from this status); null when allowed. */
export function refusal(actor: LifecycleActor, target: LifecycleTarget, action: LifecycleAction): { kind: "forbidden" | "state"; message: string } | null {
  if (!roleActions(actor, target).has(action)) return { kind: "forbidden", message: FORBIDDEN_MESSAGES[action] };
  if (!statusAllows(action, target.status)) return { kind: "state", message: stateMessage(action, target.status) };
  return null;
}

const FORBIDDEN_MESSAGES: Record<LifecycleAction, string> = {
  rotate: "Only the organisation that holds this credential (or a vendor manager) can rotate it.",
  suspend: "Only the holding organisation's admin, vendor managers and security can suspend a credential.",
  reactivate: "Only vendor managers and security can reactivate a credential.",
  revoke: "Only the holding organisation's admin, vendor managers and security can revoke a credential.",
  narrow: "Only the organisation that holds this credential (or a vendor manager) can change its grant.",
  widen: "Widening a grant needs a vendor manager.",
};

function stateMessage(action: LifecycleAction, status: CredentialStatus) {
  if (status === "revoked" || status === "expired") return `This credential is ${status}: it cannot be ${ACTION_PAST[action]}.`;
  if (action === "suspend") return `Only an active credential can be suspended; this one is ${status}.`;
  if (action === "reactivate") return `Only a suspended credential can be reactivated; this one is ${status}.`;
  return `A ${status} credential cannot be ${ACTION_PAST[action]}.`;
}

export const ACTION_PAST: Record<LifecycleAction, string> = {
  rotate: "rotated",
  suspend: "suspended",
  reactivate: "reactivated",
  revoke: "revoked",
  narrow: "narrowed",
  widen: "widened",
};

// ---- Forms (one intent each) ----

const reasonRequired = (what: string) => z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(3, `Give a reason for the ${what} (at least 3 characters)`).max(500, "At most 500 characters"));
const list = z.preprocess((v) => (v == null || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().trim().min(1)));

export const RotateSchema = z.object({
  intent: z.literal("rotate"),
  newKeyId: KeyIdSchema,
  fingerprint: z.preprocess(blankToUndefined, FingerprintSchema.optional()),
});

export const SuspendSchema = z.object({ intent: z.literal("suspend"), reason: reasonRequired("suspension") });

export const ReactivateSchema = z.object({ intent: z.literal("reactivate"), reason: z.preprocess(blankToUndefined, z.string().trim().max(500, "At most 500 characters").optional()) });

const RevokeSchema = z.object({
  intent: z.literal("revoke"),
  reason: reasonRequired("revocation"),
  confirm: z.literal("yes", { message: "Tick the box to confirm: revocation cannot be undone" }),
});

const GrantChangeSchema = z.object({
  intent: z.literal("grant"),
  grantModels: list.pipe(z.array(z.string()).min(1, "Keep at least one model (or every GA model); to stop all use, revoke the credential")),
  grantEndpoints: list.pipe(z.array(z.string()).min(1, "Keep at least one endpoint (or every endpoint)")),
});

export const LifecycleFormSchema = z.discriminatedUnion("intent", [RotateSchema, SuspendSchema, ReactivateSchema, RevokeSchema, GrantChangeSchema], {
  message: "Unknown action",
});
export type LifecycleForm = z.infer<typeof LifecycleFormSchema>;
export type Grant = { models: string[]; endpoints: string[] };

/** Grants compared as sets, order and duplicates ignored. */
export function sameGrant(a: Grant, b: Grant): boolean {
  const eq = (x: string[], y: string[]) => {
    const sx = new Set(x);
    const sy = new Set(y);
    return sx.size === sy.size && [...sx].every((v) => sy.has(v));
  };
  return eq(a.models, b.models) && eq(a.endpoints, b.endpoints);
}

/** The grant as people read it: "every GA model" for "@ga", "every endpoint" for "*". */
export function grantLabel(name: string): string {
  if (name === ALL_GA) return "every GA model";
  if (name === ALL_ENDPOINTS) return "every endpoint";
  return name;
}

// ---- Timeline ----

export type TimelineAuditRow = { id: number; at: Date; actorEmail: string | null; action: string; details: string; ip: string | null };
export type TimelineRotationRow = { id: string; oldKeyId: string; newKeyId: string; rotatedAt: Date; graceEndsAt: Date; rotatedByEmail: string | null };
export type TimelineEntry = {
  key: string;
  at: Date;
  action: string;
  title: string;
  actor: string | null;
  ip: string | null;
  lines: string[];
  rotation: { oldKeyId: string; newKeyId: string; graceEndsAt: Date; inGrace: boolean } | null;
};

const TITLES: Record<string, string> = {
  "credential.registered": "Registered",
  "credential.rotated": "Rotated",
  "credential.suspended": "Suspended",
  "credential.reactivated": "Reactivated",
  "credential.revoked": "Revoked",
  "credential.grant_narrowed": "Grant narrowed",
  "credential.grant_widened": "Grant widened",
  "credential.expired": "Expired",
  "credential.reviewed": "Reviewed",
  "credential.flagged": "Flagged",
};

function parseDetails(s: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(s);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").map(grantLabel).join(", ") : null);

function grantLines(d: Record<string, unknown>): string[] {
  const before = d.before as { models?: unknown; endpoints?: unknown } | undefined;
  const after = d.after as { models?: unknown; endpoints?: unknown } | undefined;
  if (!before || !after) return [];
  return [`Models: ${names(before.models) ?? "—"} → ${names(after.models) ?? "—"}`, `Endpoints: ${names(before.endpoints) ?? "—"} → ${names(after.endpoints) ?? "—"}`];
}

/**
 * The credential's history, newest first: its audit rows, with each rotation-history row merged into
 * the audit row that recorded it (same new key id) or shown on its own (rotations imported without one).
 */
export function buildTimeline(audit: readonly TimelineAuditRow[], rotations: readonly TimelineRotationRow[], now: Date): TimelineEntry[] {
  const byNewKey = new Map(rotations.map((r) => [r.newKeyId, r]));
  const used = new Set<string>();
  const rotationOf = (r: TimelineRotationRow) => ({ oldKeyId: r.oldKeyId, newKeyId: r.newKeyId, graceEndsAt: r.graceEndsAt, inGrace: r.graceEndsAt.getTime() > now.getTime() });
  const entries: TimelineEntry[] = audit.map((a) => {
    const d = parseDetails(a.details);
    const lines: string[] = [];
    let rotation: TimelineEntry["rotation"] = null;
    if (typeof d.reason === "string" && d.reason) lines.push(`Reason: ${d.reason}`);
    if (a.action === "credential.rotated" && typeof d.newKeyId === "string") {
      const r = byNewKey.get(d.newKeyId);
      if (r && !used.has(r.id)) {
        used.add(r.id);
        rotation = rotationOf(r);
      } else if (typeof d.oldKeyId === "string" && typeof d.graceEndsAt === "string") {
        const grace = new Date(d.graceEndsAt);
        rotation = { oldKeyId: d.oldKeyId, newKeyId: d.newKeyId, graceEndsAt: grace, inGrace: grace.getTime() > now.getTime() };
      }
    }
    if (a.action.startsWith("credential.grant_")) lines.push(...grantLines(d));
    if (a.action === "credential.registered" && typeof d.keyId === "string") lines.push(`Key id: ${d.keyId}`);
    if (Array.isArray(d.graceCutShort) && d.graceCutShort.length) lines.push(`Grace period ended early for: ${d.graceCutShort.join(", ")}`);
    return { key: `a${a.id}`, at: a.at, action: a.action, title: TITLES[a.action] ?? a.action, actor: a.actorEmail, ip: a.ip, lines, rotation };
  });
  for (const r of rotations) {
    if (used.has(r.id)) continue;
    entries.push({ key: `r${r.id}`, at: r.rotatedAt, action: "credential.rotated", title: "Rotated", actor: r.rotatedByEmail, ip: null, lines: [], rotation: rotationOf(r) });
  }
  // Stable: rows at the same instant keep the audit log's newest-first order.
  return entries.sort((x, y) => y.at.getTime() - x.at.getTime());
}

// ---- Rotation schedule ----

export const SCHEDULE_WINDOWS = [14, 30, 90] as const;
export const ScheduleQuerySchema = z.object({
  within: z.coerce
    .number()
    .refine((n) => (SCHEDULE_WINDOWS as readonly number[]).includes(n))
    .catch(14),
  org: z.string().trim().max(120).optional().catch(undefined),
});
