import { describe, expect, it } from "vitest";
import { afterFailure, BACKOFF_CAP_MS, backoffDelayMs, MAX_DELIVERY_ATTEMPTS } from "~/domain/backoff";

const mid = () => 0.5; // no jitter
const S = 1000;

describe("delivery backoff", () => {
  it("starts at 30 s and doubles with each failure", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(n, mid))).toEqual([30 * S, 60 * S, 120 * S, 240 * S, 480 * S, 960 * S, 1920 * S]);
  });

  it("never waits more than 6 hours", () => {
    expect(backoffDelayMs(10, mid)).toBe(15_360 * S); // 30 s × 2^9 = 4.3 h: under the cap
    expect(BACKOFF_CAP_MS).toBe(6 * 3600 * S);
    expect(backoffDelayMs(11, mid)).toBe(6 * 3600 * S); // 8.5 h capped
    expect(backoffDelayMs(40, mid)).toBe(6 * 3600 * S);
    expect(backoffDelayMs(40, () => 0.999)).toBe(6 * 3600 * S); // jitter does not lift it over the cap
  });

  it("jitters by ±20% of the delay, from the injected random source", () => {
    expect(backoffDelayMs(1, () => 0)).toBe(24 * S);
    expect(backoffDelayMs(1, () => 0.25)).toBe(27 * S);
    expect(backoffDelayMs(1, () => 0.75)).toBe(33 * S);
    expect(backoffDelayMs(1, () => 0.99999)).toBeLessThanOrEqual(36 * S);
    expect(backoffDelayMs(1, () => 0.99999)).toBeGreaterThan(35.99 * S);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(3);
      expect(d).toBeGreaterThanOrEqual(96 * S);
      expect(d).toBeLessThanOrEqual(144 * S);
    }
  });

  it("treats nonsense attempt counts as the first failure", () => {
    expect(backoffDelayMs(0, mid)).toBe(30 * S);
    expect(backoffDelayMs(-3, mid)).toBe(30 * S);
  });

  it("schedules the next attempt after a failure, and gives up (dead) at the 8th", () => {
    const now = new Date("2026-11-24T10:00:00Z");
    expect(afterFailure(1, now, mid)).toEqual({ status: "pending", nextAttemptAt: new Date("2026-11-24T10:00:30Z") });
    expect(afterFailure(7, now, mid)).toEqual({ status: "pending", nextAttemptAt: new Date(now.getTime() + 1920 * S) });
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect(afterFailure(8, now, mid)).toEqual({ status: "dead" });
    expect(afterFailure(9, now, mid)).toEqual({ status: "dead" });
  });
});
