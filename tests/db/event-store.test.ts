import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { eventRefOf, prepareEventStore } from "../../db/event-store";
import { BatchBuilder, type EventBatch } from "~/domain/event-batch";

// The import's insert marks which events of a batch were stored: 50 per statement, and for a statement
// that stored fewer (duplicates), the ones it did store are read back by rowid.

const raw = () => getDb().$client;
const T0 = Date.UTC(2026, 10, 22);

function batch(keys: number[]): EventBatch {
  const b = new BatchBuilder(keys.length);
  for (const k of keys) b.add({ ts: T0 + k * 1000, status: 200, asn: null, bytes: null, latencyMs: null, tokensIn: null, tokensOut: null, credentialRef: null, requestId: `es-${k}`, keyRef: "kw_es", srcIp: null, country: null, userAgent: null, method: "POST", path: "/v1/x", endpoint: null, model: null, gatewayError: null, secrets: [] });
  const batch = b.take();
  return batch;
}

beforeEach(() => {
  raw().prepare("delete from log_events").run();
});

describe("inserting a batch of events", () => {
  it("marks exactly the events stored when chunks mix new rows, rows already there and a row repeated within the batch", () => {
    const store = prepareEventStore(raw());
    const ref = eventRefOf(raw(), "import", "imp-event-store");
    const keys = Array.from({ length: 120 }, (_, i) => i + 1); // two chunks of 50, then 20 one by one
    raw().transaction(() => store.insertBatch(batch([7, 61, 115]), ref))(); // already there: one in each part
    const withRepeat = [...keys.slice(0, 30), 12, ...keys.slice(30)]; // 12 twice in the first chunk
    const { stored, count } = raw().transaction(() => store.insertBatch(batch(withRepeat), ref))();
    const notStored = withRepeat.filter((_, i) => !stored[i]);
    expect(notStored).toEqual([7, 12, 61, 115]); // in batch order: the second 12 comes after 30
    expect(stored[withRepeat.indexOf(12)]).toBe(1); // the first of the two is the one stored
    expect(count).toBe(117);
    expect((raw().prepare("select count(*) as n from log_events").get() as { n: number }).n).toBe(120);
  });

  it("stores nothing and marks nothing when every event is already there", () => {
    const store = prepareEventStore(raw());
    const ref = eventRefOf(raw(), "import", "imp-event-store");
    const keys = Array.from({ length: 75 }, (_, i) => i + 1);
    raw().transaction(() => store.insertBatch(batch(keys), ref))();
    const again = raw().transaction(() => store.insertBatch(batch(keys), ref))();
    expect(again.count).toBe(0);
    expect([...again.stored].every((s) => s === 0)).toBe(true);
  });
});
