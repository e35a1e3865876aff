import { describe, expect, it } from "vitest";
import { databaseBefore } from "../support/migrations";

// Migration 0007 turns log_events' UUID columns (import_id, credential_id) into integer references
// through event_refs. A database holding events from before it must keep every event, each still tied
// to its import and credential.

describe("migration 0007 (event references)", () => {
  it("keeps every event and maps its import and credential to integer references", () => {
    const old = databaseBefore("_event_refs");
    const c = old.db.$client;
    const ins = c.prepare("insert into log_events (event_key, import_id, ts, key_ref, credential_id, method, path, status) values (?, ?, ?, ?, ?, 'POST', '/v1/x', 200)");
    ins.run(1, "imp-a", 1000, "kw_a", "cred-a");
    ins.run(2, "imp-a", 2000, "kw_b", "cred-b");
    ins.run(3, "imp-b", 3000, "kw_a", "cred-a");
    ins.run(4, "imp-b", 4000, "kw_unknown", null);

    old.migrateRest(); // through every later migration too
    const rows = c
      .prepare(
        `select e.event_key as k, i.target_id as imp, cr.target_id as cred from log_events e
         join event_refs i on i.ref = e.import_ref and i.kind = 'import'
         left join event_refs cr on cr.ref = e.credential_ref and cr.kind = 'credential' order by e.ts`,
      )
      .all();
    expect(rows).toEqual([
      { k: 1, imp: "imp-a", cred: "cred-a" },
      { k: 2, imp: "imp-a", cred: "cred-b" },
      { k: 3, imp: "imp-b", cred: "cred-a" },
      { k: 4, imp: "imp-b", cred: null },
    ]);
    expect((c.prepare("select count(*) as n from event_refs").get() as { n: number }).n).toBe(4);
    const plan = c.prepare("explain query plan select ts from log_events where credential_ref = 1 and ts between 0 and 5000").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join("\n")).toMatch(/log_events_credential_ts_idx/);
    old.close();
  });
});

describe("credential references", () => {
  it("exist for every credential from the moment it is created", async () => {
    const { getDb } = await import("../../db/client");
    const { credentialRefs } = await import("../../db/event-store");
    const { createOrg } = await import("../support/factories");
    const { createCredential } = await import("../support/credential-factory");
    const cred = createCredential(createOrg().id);
    expect(credentialRefs(getDb().$client).get(cred.id)).toEqual(expect.any(Number));
  });
});
