import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { RAW_EVENT_RETENTION_DAYS, retentionCutoff } from "~/domain/retention";
import { streamOf } from "../support/stream";
import { importLogs } from "~/models/log-import.server";
import { purgeOldEvents } from "~/models/retention.server";
import { runScheduledJobs } from "~/models/scheduler.server";
import { createOrg } from "../support/factories";
import { createCredential, seedCatalog } from "../support/credential-factory";

const raw = () => getDb().$client;
const DAY = 86_400_000;
const NOW = new Date("2026-11-24T10:00:00.000Z");
const daysBefore = (d: number) => NOW.getTime() - d * DAY;
const n = (sql: string, ...args: unknown[]) => (raw().prepare(sql).get(...args) as { n: number }).n;
const auditsOf = (action: string) => raw().prepare("SELECT actor_id, details FROM audit_log WHERE action = ? ORDER BY id").all(action) as { actor_id: string | null; details: string }[];
const purgeAudits = () => auditsOf("logs.retention_purged");

let seq = 0;
/** Imports one event per entry, `ageDays` before NOW, through the real pipeline (so usage rows are written too). */
async function importAt(keyId: string, ages: number[]) {
  const lines = ages.map((age, i) =>
    JSON.stringify({ ts: new Date(daysBefore(age) + i).toISOString(), requestId: `ret-${seq++}`, keyId, srcIp: `198.51.100.${(i % 200) + 1}`, method: "POST", path: "/v1/models/atlas-2/messages", status: 200 }),
  );
  await importLogs({ source: "retention-test", format: "jsonl", via: "cli", input: streamOf(lines.join("\n") + "\n"), ctx: { actor: null, ip: null } });
}

beforeEach(() => {
  raw().prepare("DELETE FROM log_event_rows").run();
  raw().prepare("DELETE FROM event_strings").run();
  raw().prepare("DELETE FROM credential_usage_daily").run();
  raw().prepare("DELETE FROM credential_daily_ips").run();
  raw().prepare("DELETE FROM audit_log WHERE action IN ('logs.retention_purged', 'logs.event_strings_purged')").run();
});

describe("raw event retention", () => {
  it("defaults to 400 days", () => {
    expect(RAW_EVENT_RETENTION_DAYS).toBe(400);
    expect(retentionCutoff(NOW)).toBe(daysBefore(400));
  });

  it("purges events older than the retention, keeps recent ones and the daily usage, audits once, and a second run does nothing", async () => {
    const org = createOrg();
    const cred = createCredential(org.id);
    await importAt(cred.keyId, [800, 500, 401, 400.2, 399, 30, 0]);
    expect(n("SELECT count(*) AS n FROM log_events")).toBe(7);
    const usageBefore = raw().prepare("SELECT * FROM credential_usage_daily WHERE credential_id = ? ORDER BY day").all(cred.id);
    const ipsBefore = n("SELECT count(*) AS n FROM credential_daily_ips WHERE credential_id = ?", cred.id);
    expect(usageBefore).toHaveLength(7);

    const first = await purgeOldEvents(NOW);
    // The four purged events' addresses (198.51.100.1-4) were theirs alone: they go too; the rest stay readable.
    expect(first).toEqual({ deleted: 4, stringsDeleted: 4, cutoff: new Date(daysBefore(400)).toISOString(), retentionDays: 400, more: false });
    const left = raw().prepare("SELECT ts, src_ip, path FROM log_events ORDER BY ts").all() as { ts: number; src_ip: string; path: string }[];
    expect(left).toHaveLength(3);
    expect(left.every((e) => e.ts >= daysBefore(400))).toBe(true);
    expect(left.map((e) => e.src_ip)).toEqual(["198.51.100.5", "198.51.100.6", "198.51.100.7"]);
    expect(left.every((e) => e.path === "/v1/models/atlas-2/messages")).toBe(true);
    expect(n("SELECT count(*) AS n FROM event_strings WHERE value LIKE '198.51.100.%'")).toBe(3);
    // Daily usage and distinct IPs outlive the raw events.
    expect(raw().prepare("SELECT * FROM credential_usage_daily WHERE credential_id = ? ORDER BY day").all(cred.id)).toEqual(usageBefore);
    expect(n("SELECT count(*) AS n FROM credential_daily_ips WHERE credential_id = ?", cred.id)).toBe(ipsBefore);

    const audits = purgeAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0].actor_id).toBeNull();
    expect(JSON.parse(audits[0].details)).toMatchObject({ deleted: 4, retentionDays: 400, olderThan: new Date(daysBefore(400)).toISOString() });
    // The strings' purge is audited on its own, in its own transaction.
    expect(auditsOf("logs.event_strings_purged").map((a) => JSON.parse(a.details))).toEqual([{ deleted: 4 }]);

    expect(await purgeOldEvents(NOW)).toMatchObject({ deleted: 0, more: false });
    expect(n("SELECT count(*) AS n FROM log_events")).toBe(3);
    expect(purgeAudits()).toHaveLength(1);
  });

  it("deletes in chunks, oldest first, and stops at the per-run cap so the next run continues", async () => {
    const org = createOrg();
    const cred = createCredential(org.id);
    await importAt(cred.keyId, [...Array.from({ length: 25 }, (_, i) => 500 + i), 10, 11]);

    const capped = await purgeOldEvents(NOW, { chunkSize: 10, maxChunks: 2 });
    expect(capped).toMatchObject({ deleted: 20, more: true });
    // The oldest went first: what is left of the old ones is the youngest five.
    const oldLeft = raw().prepare("SELECT ts FROM log_events WHERE ts < ? ORDER BY ts").all(daysBefore(400)) as { ts: number }[];
    expect(oldLeft).toHaveLength(5);
    expect(oldLeft[0].ts).toBeGreaterThanOrEqual(daysBefore(505));
    expect(JSON.parse(purgeAudits()[0].details)).toMatchObject({ deleted: 20, chunks: 2, more: true });

    expect(await purgeOldEvents(NOW, { chunkSize: 10, maxChunks: 2 })).toMatchObject({ deleted: 5, more: false });
    expect(await purgeOldEvents(NOW, { chunkSize: 10 })).toMatchObject({ deleted: 0, more: false });
    expect(n("SELECT count(*) AS n FROM log_events")).toBe(2);
    expect(purgeAudits()).toHaveLength(2);
  });

  it("exact multiples of the chunk finish with one audit row, written with the last (empty) chunk", async () => {
    const org = createOrg();
    const cred = createCredential(org.id);
    await importAt(cred.keyId, Array.from({ length: 20 }, (_, i) => 450 + i));
    expect(await purgeOldEvents(NOW, { chunkSize: 10 })).toMatchObject({ deleted: 20, more: false });
    expect(purgeAudits()).toHaveLength(1);
    expect(JSON.parse(purgeAudits()[0].details)).toMatchObject({ deleted: 20, chunks: 3 });
  });

  it("keeps every string a surviving event uses, in every string column, and deletes those only purged events used", async () => {
    seedCatalog(); // the survivor's path is a catalog endpoint's
    const org = createOrg();
    const cred = createCredential(org.id);
    const line = (age: number, tag: string, path: string) =>
      JSON.stringify({ ts: new Date(daysBefore(age)).toISOString(), requestId: `ret-${tag}`, keyId: `${cred.keyId}`, srcIp: `203.0.113.${age % 250}`, userAgent: `agent-${tag}/1`, method: tag === "old" ? "PUT" : "POST", path, status: 502, gatewayError: `upstream_${tag}`, country: tag === "old" ? "NL" : "DE" });
    const lines = [line(500, "old", "/v1/models/model-old/messages"), JSON.stringify({ ...JSON.parse(line(10, "new", "/v1/messages")), model: "opus-4" })];
    await importLogs({ source: "retention-test", format: "jsonl", via: "cli", input: streamOf(`${lines.join("\n")}\n`), ctx: { actor: null, ip: null } });
    const survivor = () => raw().prepare("SELECT key_ref, src_ip, country, user_agent, method, path, endpoint, model, gateway_error FROM log_events WHERE request_id = 'ret-new'").get();
    const before = survivor();
    expect(Object.values(before as object).every((v) => typeof v === "string")).toBe(true); // a string in every column

    const run = await purgeOldEvents(NOW);
    expect(run).toMatchObject({ deleted: 1, stringsDeleted: 7 }); // the old event's own address, country, user agent, method, path, model and gateway error
    expect(survivor()).toEqual(before);
    for (const gone of ["203.0.113.0", "NL", "agent-old/1", "PUT", "/v1/models/model-old/messages", "model-old", "upstream_old"]) expect(n("SELECT count(*) AS n FROM event_strings WHERE value = ?", gone)).toBe(0);
  });

  it("walks the (ts, event_key) index instead of scanning the table", () => {
    const plan = raw()
      .prepare("EXPLAIN QUERY PLAN DELETE FROM log_event_rows WHERE id IN (SELECT id FROM log_event_rows WHERE ts < ? ORDER BY ts LIMIT ?)")
      .all(0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join("\n")).toMatch(/USING (COVERING )?INDEX log_events_ts_key_uq/);
  });

  it("runs as a scheduler job", async () => {
    const org = createOrg();
    const cred = createCredential(org.id);
    await importAt(cred.keyId, [600, 1]);
    const run = await runScheduledJobs(NOW);
    expect(run.purgeOldEvents).toMatchObject({ deleted: 1, retentionDays: 400 });
    expect((await runScheduledJobs(NOW)).purgeOldEvents).toMatchObject({ deleted: 0 });
    expect(n("SELECT count(*) AS n FROM log_events")).toBe(1);
  });
});
