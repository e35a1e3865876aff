import type { OrgTier } from "./organization";

// Dates of the attestation cycle (issue 4 points 2, 6, 7). Pure, `now` injected. Days are ISO
// calendar days in UTC.

export const DAY_MS = 86_400_000;
/** An attestation whose due date is this close is "due soon" (Vanta/Drata's 7 days). */
export const DUE_SOON_DAYS = 7;
export const REMINDER_DAYS = [30, 7, 1] as const;

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);
export function addDays(day: string, n: number): string {
  return isoDay(new Date(dayStart(day).getTime() + n * DAY_MS));
}
/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) => Math.round((dayStart(to).getTime() - dayStart(from).getTime()) / DAY_MS);

/**
 * The reminder due today for an open attestation, or null: "due-in-30d" / "due-in-7d" / "due-in-1d" on
 * and after those days (only the latest one, so a scheduler that was down sends one, not a burst), and
 * "overdue-<day>" every day once the due date has passed. Each key is sent once (job_marks).
 */
export function attestationReminderStage(dueDate: string, now: Date): string | null {
  const left = daysBetween(isoDay(now), dueDate);
  if (left < 0) return `overdue-${isoDay(now)}`;
  if (left > REMINDER_DAYS[0]) return null;
  const stage = [...REMINDER_DAYS].reverse().find((d) => left <= d)!;
  return `due-in-${stage}d`;
}

export function attestationReminderKey(attestationId: string, stage: string, dueDate: string) {
  return `attestation-reminder:${attestationId}:${stage}:${dueDate}`;
}

export type AttestationState = "current" | "due_soon" | "overdue" | "missing";

export type StatusFacts = {
  /** The latest accepted attestation's period end. */
  acceptedUntil: string | null;
  /** The open (not accepted, not rejected) request's due date. */
  openDueDate: string | null;
};

/**
 * An organisation is "current" while its accepted attestation's period has not ended and no open
 * request is overdue or due within 7 days; otherwise "due_soon", "overdue", or "missing" (no accepted
 * attestation covering today and nothing open, or an expired one with nothing open).
 */
export function attestationState(f: StatusFacts, now: Date): AttestationState {
  const today = isoDay(now);
  const covered = f.acceptedUntil !== null && f.acceptedUntil >= today;
  if (f.openDueDate) {
    const left = daysBetween(today, f.openDueDate);
    if (left < 0) return "overdue";
    if (left <= DUE_SOON_DAYS) return "due_soon";
    return covered ? "current" : "missing";
  }
  if (covered) return f.acceptedUntil && daysBetween(today, f.acceptedUntil) <= DUE_SOON_DAYS ? "due_soon" : "current";
  return f.acceptedUntil ? "overdue" : "missing";
}

/**
 * Whether the scheduler should request a new attestation on the tier's cadence: none open, and the last
 * period ends within `leadDays` (or there never was one). Returns the new period and due date.
 */
export function cadenceRequest(
  last: { periodEnd: string } | null,
  hasOpen: boolean,
  cadenceDays: number,
  now: Date,
  leadDays = 30,
): { periodStart: string; periodEnd: string; dueDate: string } | null {
  if (hasOpen) return null;
  const today = isoDay(now);
  if (last && daysBetween(today, last.periodEnd) > leadDays) return null;
  const periodStart = last && last.periodEnd >= today ? addDays(last.periodEnd, 1) : today;
  return { periodStart, periodEnd: addDays(periodStart, cadenceDays - 1), dueDate: last && last.periodEnd >= today ? last.periodEnd : addDays(today, leadDays) };
}

export type TierGating = { tier: OrgTier; enforce: boolean };
export const DEFAULT_GATING: Record<OrgTier, boolean> = { restricted: true, standard: false };

/** Whether registering a credential that grants a restricted model must be refused: restricted tier, enforcing, and no accepted attestation covering today. */
export function gatingBlocks(opts: { tier: OrgTier; enforce: boolean; currentUntil: string | null; grantsRestricted: boolean }, now: Date): boolean {
  const covered = opts.currentUntil !== null && opts.currentUntil >= isoDay(now);
  return opts.tier === "restricted" && opts.enforce && opts.grantsRestricted && !covered;
}
