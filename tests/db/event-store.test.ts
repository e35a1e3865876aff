import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { deleteEventStrings, eventRefOf, findUnusedEventStrings, prepareEventStore } from "../../db/event-store";
import { BatchBuilder, type EventBatch } from "~/domain/event-batch";

// The import's insert marks which events of a batch were stored: 50 per statement, and for a statement
// that stored fewer (duplicates), the ones it did store are read back by rowid.

const raw = () => getDb().$client;
const T0 = Date.UTC(2026, 10, 22);

function batch(keys: number[], userAgent: string | null = null): EventBatch {
  const b = new BatchBuilder(keys.length);
  for (const k of keys) b.add({ ts: T0 + k * 1000, status: 200, asn: null, bytes: null, latencyMs: null, tokensIn: null, tokensOut: null, credentialRef: null, requestId: `es-${k}`, keyRef: "kw_es", srcIp: null, country: null, userAgent, method: "POST", path: "/v1/x", endpoint: null, model: null, gatewayError: null, secrets: [] });
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

describe("event strings", () => {
  const userAgents = () => (raw().prepare("select user_agent as ua from log_events order by ts").all() as { ua: string | null }[]).map((r) => r.ua);
  const stringCount = (value: string) => (raw().prepare("select count(*) as n from event_strings where value = ?").get(value) as { n: number }).n;

  it("stores each distinct string once and gives it back through the log_events view", () => {
    const store = prepareEventStore(raw());
    const ref = eventRefOf(raw(), "import", "imp-event-store");
    raw().transaction(() => store.insertBatch(batch([1, 2, 3], "curl/8.5.0 (es)"), ref))();
    raw().transaction(() => store.insertBatch(batch([4, 5], "curl/8.5.0 (es)"), ref))();
    expect(userAgents()).toEqual(Array(5).fill("curl/8.5.0 (es)"));
    expect(stringCount("curl/8.5.0 (es)")).toBe(1);
    const row = raw().prepare("select user_agent, path from log_event_rows limit 1").get() as { user_agent: unknown; path: unknown };
    expect(typeof row.user_agent).toBe("number");
    expect(typeof row.path).toBe("number");
  });

  it("does not reuse a remembered id after retention purged its string, nor one added by a batch that rolled back", () => {
    const store = prepareEventStore(raw());
    const ref = eventRefOf(raw(), "import", "imp-event-store");
    raw().transaction(() => store.insertBatch(batch([1], "gone-then-back/1"), ref))(); // added
    raw().transaction(() => store.insertBatch(batch([2], "gone-then-back/1"), ref))(); // found, and remembered
    // Retention, between two batches of one import: the only event using the string goes, and so does the string.
    raw().prepare("delete from log_event_rows").run();
    expect(deleteEventStrings(raw(), findUnusedEventStrings(raw()))).toBeGreaterThan(0);
    expect(stringCount("gone-then-back/1")).toBe(0);
    raw().transaction(() => store.insertBatch(batch([3], "gone-then-back/1"), ref))();
    expect(userAgents()).toEqual(["gone-then-back/1"]);

    const failing = raw().transaction(() => {
      store.insertBatch(batch([4], "rolled-back/1"), ref);
      throw new Error("the batch's transaction fails after its insert");
    });
    expect(failing).toThrow();
    expect(stringCount("rolled-back/1")).toBe(0);
    raw().transaction(() => store.insertBatch(batch([5], "rolled-back/1"), ref))();
    expect(userAgents()).toEqual(["gone-then-back/1", "rolled-back/1"]);
  });

  it("spares the strings that events stored after the search use: the search holds no lock", () => {
    const store = prepareEventStore(raw());
    const ref = eventRefOf(raw(), "import", "imp-event-store");
    raw().transaction(() => store.insertBatch(batch([1], "late-user/1"), ref))();
    raw().prepare("delete from log_event_rows").run();
    const unused = findUnusedEventStrings(raw()); // "late-user/1" among them
    raw().transaction(() => store.insertBatch(batch([2], "late-user/1"), ref))(); // meanwhile, an import uses it again
    raw().transaction(() => deleteEventStrings(raw(), unused))();
    expect(stringCount("late-user/1")).toBe(1);
    expect(userAgents()).toEqual(["late-user/1"]);
  });
});
