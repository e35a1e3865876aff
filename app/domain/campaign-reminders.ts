import { dayStart } from "./campaign";
import { DAY_MS } from "./credential-policy";

// Campaign reminder schedule (issue 5 point 4): weekly while open, then 3 days and 1 day before the
// due date, on the due date, and daily while overdue. Each stage is sent once (the scheduler records
// "campaign-reminder:<campaign>:<stage>" in job_marks). Pure, with `now` injected.

export type CampaignReminderStage = `week-${number}` | "due-in-3d" | "due-in-1d" | "due" | `overdue-d${number}`;

/**
 * The stage whose window contains `now` (null before the first one or before opening). The due date
 * is a UTC day: "due" covers that day, overdue starts the next day.
 *   [opens + 7k d, …) → "week-k" (k ≥ 1), until due − 3 d;  [due − 3 d, due − 1 d) → "due-in-3d";
 *   [due − 1 d, due) → "due-in-1d";  [due, due + 1 d) → "due";  [due + k d, due + (k+1) d) → "overdue-dk".
 * Only the current stage is returned: a scheduler that was down sends the current one, not a burst.
 */
export function campaignReminderStage(opensOn: string, dueOn: string, now: Date): CampaignReminderStage | null {
  const opens = dayStart(opensOn).getTime();
  const due = dayStart(dueOn).getTime();
  const t = now.getTime();
  if (t < opens) return null;
  if (t >= due + DAY_MS) return `overdue-d${Math.floor((t - due) / DAY_MS)}`;
  if (t >= due) return "due";
  if (t >= due - DAY_MS) return "due-in-1d";
  if (t >= due - 3 * DAY_MS) return "due-in-3d";
  const weeks = Math.floor((t - opens) / (7 * DAY_MS));
  return weeks >= 1 ? `week-${weeks}` : null;
}

export function campaignReminderKey(campaignId: string, stage: CampaignReminderStage): string {
  return `campaign-reminder:${campaignId}:${stage}`;
}

/** The stages a scheduler running every `stepMs` from opening to `until` would send, in order (for tests and the campaign page). */
export function campaignReminderSchedule(opensOn: string, dueOn: string, until: Date, stepMs = 3_600_000): { stage: CampaignReminderStage; at: string }[] {
  const out: { stage: CampaignReminderStage; at: string }[] = [];
  const seen = new Set<string>();
  for (let t = dayStart(opensOn).getTime(); t <= until.getTime(); t += stepMs) {
    const stage = campaignReminderStage(opensOn, dueOn, new Date(t));
    if (stage && !seen.has(stage)) {
      seen.add(stage);
      out.push({ stage, at: new Date(t).toISOString() });
    }
  }
  return out;
}
