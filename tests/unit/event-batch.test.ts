import { describe, expect, it } from "vitest";
import { aggregateBatch, batchBuffers, batchEvents, BatchBuilder, eventKeysOf, type BatchInput } from "~/domain/event-batch";
import { eventKey } from "~/domain/event-key";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 23, 59, 0);
const credentialOf = new Map([
  [1, "cred-a"],
  [2, "cred-b"],
]);

function row(over: Partial<BatchInput> = {}): BatchInput {
  return { ts: T0, status: 200, asn: null, bytes: 10, latencyMs: null, tokensIn: null, tokensOut: null, credentialRef: 1, requestId: "r1", keyRef: "kw_a", srcIp: "198.51.100.1", country: null, userAgent: "curl/8", method: "POST", path: "/v1/x", endpoint: "messages", model: "atlas-2", gatewayError: null, secrets: [], ...over };
}

describe("event batches", () => {
  it("round-trips events through the columns, nulls included, and stores each repeated string once", () => {
    const b = new BatchBuilder(10);
    b.add(row());
    b.add(row({ requestId: null, srcIp: null, credentialRef: null, keyRef: "kw_unknown", asn: 64500, country: "DE", secrets: ["authorization"] }));
    b.add(row({ requestId: "r3" }));
    const batch = b.take();
    expect(batch.n).toBe(3);
    expect(batch.ts).toHaveLength(3); // trimmed to its rows
    expect(batch.strings.filter((s) => s === "curl/8")).toHaveLength(1);
    const { events, order } = batchEvents(batch, new Uint8Array([1, 1, 1]), "imp-1", credentialOf);
    // Grouped by credential, the events without one last; `order` gives event order.
    expect([...order]).toEqual([0, 2, 1]);
    events.splice(0, 3, events[order[0]], events[order[1]], events[order[2]]);
    expect(events[0]).toEqual({ importId: "imp-1", ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "198.51.100.1", userAgent: "curl/8", method: "POST", path: "/v1/x", endpoint: "messages", model: "atlas-2", status: 200 });
    expect(events[1]).toMatchObject({ srcIp: null, credentialId: null, keyRef: "kw_unknown", secretsStripped: ["authorization"] });
    expect(events[0].secretsStripped).toBeUndefined();
    expect(batchBuffers(batch).every((buf) => buf instanceof ArrayBuffer)).toBe(true);
  });

  it("gives each row the identity eventKey() gives its event", () => {
    const b = new BatchBuilder(3);
    const rows = [row(), row({ requestId: null, srcIp: null, bytes: null, userAgent: null, latencyMs: 1234 }), row({ status: 404, path: "/v1/y" })];
    for (const r of rows) b.add(r);
    const batch = b.take();
    expect([...eventKeysOf(batch)]).toEqual(rows.map((r) => eventKey(r)));
    expect(new Set(eventKeysOf(batch)).size).toBe(3);
  });

  it("aggregates only the stored events: keys, daily usage and addresses per UTC day, and the latest use", () => {
    const b = new BatchBuilder(10);
    b.add(row({ requestId: "r1", ts: T0, srcIp: "198.51.100.1" }));
    b.add(row({ requestId: "r2", ts: T0 + 30_000, status: 500, srcIp: "198.51.100.2", userAgent: "sdk/2" })); // 23:59:30
    b.add(row({ requestId: "r3", ts: T0 + 120_000, srcIp: "198.51.100.3" })); // the next UTC day
    b.add(row({ requestId: "r4", ts: T0 + 200_000, srcIp: "203.0.113.9" })); // a duplicate: not stored
    b.add(row({ requestId: "r5", ts: T0 - DAY, credentialRef: null, keyRef: "kw_unknown", status: 401 }));
    const agg = aggregateBatch(b.take(), new Uint8Array([1, 1, 1, 0, 1]), credentialOf);
    expect(agg.firstTs).toBe(T0 - DAY);
    expect(agg.lastTs).toBe(T0 + 120_000);
    expect(agg.keys).toEqual([
      { keyRef: "kw_a", credentialId: "cred-a", events: 3, successes: 2, first: T0, last: T0 + 120_000 },
      { keyRef: "kw_unknown", credentialId: null, events: 1, successes: 0, first: T0 - DAY, last: T0 - DAY },
    ]);
    expect(agg.usage).toEqual([
      { credentialId: "cred-a", day: "2026-11-20", requests: 2, errors: 1 },
      { credentialId: "cred-a", day: "2026-11-21", requests: 1, errors: 0 },
    ]);
    expect(agg.dailyIps.map((d) => `${d.day} ${d.ip}`)).toEqual(["2026-11-20 198.51.100.1", "2026-11-20 198.51.100.2", "2026-11-21 198.51.100.3"]);
    expect(agg.lastUse).toEqual([{ credentialId: "cred-a", at: T0 + 120_000, ip: "198.51.100.3", userAgent: "curl/8" }]);
  });
});
