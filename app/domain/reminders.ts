import { DAY_MS } from "./credential-policy";

// Rotation reminder stages (issue 3): 14 days before the due date, 3 days before, on the due date,
// then once a week while overdue. Pure, with `now` injected. Each stage is sent once per due date
// (the scheduler records "rotation-reminder:<credential>:<stage>:<due date>" in job_marks).

export const REMINDER_DAYS_BEFORE = [14, 3] as const;
export type ReminderStage = "due-in-14d" | "due-in-3d" | "due" | `overdue-w${number}`;

/**
 * The stage whose window contains `now`, or null before the first one:
 *   [due − 14 d, due − 3 d) → "due-in-14d"; [due − 3 d, due) → "due-in-3d"; [due, due + 7 d) → "due";
 *   [due + 7k d, due + 7(k+1) d) → "overdue-w<k>" (k ≥ 1).
 * Only the latest stage is returned: a scheduler that was down through a stage sends the current one,
 * not a burst of stale ones.
 */
export function reminderStage(dueAt: Date, now: Date): ReminderStage | null {
  const left = dueAt.getTime() - now.getTime();
  if (left > 14 * DAY_MS) return null;
  if (left > 3 * DAY_MS) return "due-in-14d";
  if (left > 0) return "due-in-3d";
  const weeks = Math.floor(-left / (7 * DAY_MS));
  return weeks === 0 ? "due" : `overdue-w${weeks}`;
}

/** The idempotency key of one reminder: the due date (UTC day) is part of it, so a rotation starts afresh. */
export function reminderKey(credentialId: string, stage: ReminderStage, dueAt: Date): string {
  return `rotation-reminder:${credentialId}:${stage}:${dueAt.toISOString().slice(0, 10)}`;
}
