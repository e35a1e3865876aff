// The contract dashboards read access-review progress through. Issue 5 fills it from the campaign tables.

export type CampaignProgress = {
  id: string;
  name: string;
  dueDate: string; // YYYY-MM-DD
  total: number;
  decided: number;
  overdueItems: number;
  revocations: number;
};

/** Open campaigns with their progress (internal users). */
export function openCampaignProgress(): CampaignProgress[] {
  return [];
}

/** Campaigns waiting for this organisation's first pass: items not yet looked at by its admin. */
export function firstPassDueFor(_orgId: string): { id: string; name: string; dueDate: string; pending: number }[] {
  return [];
}
