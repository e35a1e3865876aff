// Retry timing for outbox deliveries (issue 3): exponential backoff with jitter. Pure: the random
// source is passed in so that tests (and replays) are deterministic.

export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_FACTOR = 2;
export const BACKOFF_CAP_MS = 6 * 60 * 60 * 1000;
export const BACKOFF_JITTER = 0.2;
/** A delivery that has failed this many times is dead (dead-letter): no more automatic attempts. */
export const MAX_DELIVERY_ATTEMPTS = 8;

/**
 * The wait before the next attempt after `failedAttempts` failures (1 = the first failure):
 * 30 s × 2^(failedAttempts−1), at most 6 h, then ±20% jitter (`random()` in [0, 1): 0 → −20%,
 * 0.5 → exact, →1 → +20%), never above the cap. Whole milliseconds.
 */
export function backoffDelayMs(failedAttempts: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  const raw = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * BACKOFF_FACTOR ** (n - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = raw * (1 + BACKOFF_JITTER * (2 * r - 1));
  return Math.round(Math.min(BACKOFF_CAP_MS, jittered));
}

/** What happens after a failed attempt: the row's next attempt time, or dead once the limit is reached. */
export function afterFailure(failedAttempts: number, now: Date, random: () => number = Math.random): { status: "pending"; nextAttemptAt: Date } | { status: "dead" } {
  if (failedAttempts >= MAX_DELIVERY_ATTEMPTS) return { status: "dead" };
  return { status: "pending", nextAttemptAt: new Date(now.getTime() + backoffDelayMs(failedAttempts, random)) };
}
