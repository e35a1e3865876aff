export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_MAX_FAILURES = 5;

/**
 * Given the times of recent failures for one key (account or IP), is the key locked now, and until when?
 * Locked once `LOGIN_MAX_FAILURES` failures fall within the window; it unlocks when the oldest of the
 * most recent five leaves the window.
 */
export function throttleState(failureTimes: number[], now: number): { locked: boolean; retryAfterSeconds: number } {
  const recent = failureTimes.filter((t) => t > now - LOGIN_WINDOW_MS).sort((a, b) => b - a);
  if (recent.length < LOGIN_MAX_FAILURES) return { locked: false, retryAfterSeconds: 0 };
  const oldestOfLastFive = recent[LOGIN_MAX_FAILURES - 1];
  const until = oldestOfLastFive + LOGIN_WINDOW_MS;
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
}
