// How long raw gateway events are kept (issue 6 point 7). Per-credential daily usage (requests, errors,
// distinct IPs) outlives them: timelines and baselines read those, not raw events.
// A per-policy retention column is the next step; until then one constant for every tier.

export const RAW_EVENT_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

/** Events strictly older than this instant (epoch ms) are purged. */
export function retentionCutoff(now: Date, retentionDays: number = RAW_EVENT_RETENTION_DAYS): number {
  return now.getTime() - retentionDays * DAY_MS;
}
