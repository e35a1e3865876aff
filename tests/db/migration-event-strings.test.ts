import { describe, expect, it } from "vitest";
import { databaseBefore } from "../support/migrations";

// Migration 0008 moves log_events' strings into event_strings and its rows into log_event_rows, and
// makes log_events a view. A database holding events from before it must read back every event exactly
// as it was, and keep its two indexes serving the same queries.

const COLUMNS = "event_key, import_ref, ts, request_id, key_ref, credential_ref, src_ip, asn, country, user_agent, method, path, endpoint, model, status, gateway_error, bytes, latency_ms, tokens_in, tokens_out";

describe("migration 0008 (event strings)", () => {
  it("keeps every event's values, stores each string once, and the indexes still serve credential and time ranges", () => {
    const old = databaseBefore("_event_strings");
    const c = old.db.$client;
    const ins = c.prepare(`insert into log_events (${COLUMNS}) values (${COLUMNS.split(", ").map(() => "?").join(", ")})`);
    ins.run(1, 1, 1000, "r1", "kw_a", 1, "198.51.100.7", 64500, "NL", "curl/8.5.0", "POST", "/v1/models/atlas-2/messages", "messages", "atlas-2", 200, null, 512, 30, 100, 20);
    ins.run(2, 1, 2000, "r2", "kw_a", 1, "198.51.100.7", null, null, "curl/8.5.0", "POST", "/v1/models/atlas-3/messages", null, null, 404, "no_route", null, null, null, null);
    ins.run(3, 2, 3000, null, "kw_unknown", null, null, null, null, null, "GET", "/v1/models", "models", null, 200, null, null, null, null, null);
    const before = c.prepare(`select id, ${COLUMNS} from log_events order by id`).all();

    old.migrateRest();
    expect(c.prepare(`select id, ${COLUMNS} from log_events order by id`).all()).toEqual(before);
    expect((c.prepare("select type from sqlite_master where name = 'log_events'").get() as { type: string }).type).toBe("view");
    const strings = (c.prepare("select value from event_strings").all() as { value: string }[]).map((r) => r.value);
    expect(strings.filter((v) => v === "curl/8.5.0" || v === "kw_a" || v === "POST")).toHaveLength(3); // once each
    for (const [query, index] of [
      ["select ts from log_events where credential_ref = 1 and ts between 0 and 5000", "log_events_credential_ts_idx"],
      ["select path from log_events where ts >= 1500 order by ts", "log_events_ts_key_uq"],
    ]) {
      const plan = c.prepare(`explain query plan ${query}`).all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join("\n")).toContain(index);
    }
    // The view takes inserts too (seeds, tests): a new event's strings are stored, the known ones reused.
    ins.run(4, 2, 4000, "r4", "kw_a", 1, "203.0.113.9", null, null, "curl/8.5.0", "POST", "/v1/models/atlas-2/messages", null, null, 200, null, null, null, null, null);
    expect(c.prepare("select src_ip, user_agent from log_events where event_key = 4").get()).toEqual({ src_ip: "203.0.113.9", user_agent: "curl/8.5.0" });
    expect((c.prepare("select count(*) as n from event_strings").get() as { n: number }).n).toBe(strings.length + 1);
    // Whatever the insert's conflict clause: OR REPLACE of a stored event must not replace the strings other events use.
    c.prepare(`insert or replace into log_events (${COLUMNS}) values (${COLUMNS.split(", ").map(() => "?").join(", ")})`).run(1, 1, 1000, "r1", "kw_a", 1, "198.51.100.7", 64500, "NL", "curl/8.5.0", "POST", "/v1/models/atlas-2/messages", "messages", "atlas-2", 200, null, 512, 30, 100, 20);
    expect(c.prepare(`select ${COLUMNS} from log_events where event_key in (2, 3) order by event_key`).all()).toEqual((before as Record<string, unknown>[]).slice(1).map(({ id: _, ...rest }) => rest));
    old.close();
  });
});
