import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, test } from "vitest";
import { runKeyward } from "../support/run-process";

// `keyward import-inventory` and `keyward credentials` as an operator runs them: subprocesses on a
// database of their own (a fresh file: import-inventory migrates it on first use). Tests run in order.

const FIXTURES = path.resolve(__dirname, "../fixtures");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-cli-inventory-"));
const DB_FILE = path.join(dir, "keyward.db");

type Run = { code: number | null; stdout: string; stderr: string };

function keyward(args: string[]): Promise<Run> {
  return runKeyward(args, { env: { ...process.env, KEYWARD_DB: DB_FILE, KEYWARD_DATA: path.join(dir, "data"), NODE_ENV: "test" } });
}

const credentialCount = () => {
  const db = new Database(DB_FILE, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from credentials").get() as { n: number }).n;
  } finally {
    db.close();
  }
};

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("keyward import-inventory and credentials", () => {
  test("import-inventory of the fixture exits 0 with a --json summary", async () => {
    const run = await keyward(["import-inventory", path.join(FIXTURES, "inventory.json"), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      ok: true,
      written: true,
      format: "json",
      organizations: { created: 3, updated: 0 },
      users: { created: 3, updated: 0 },
      models: { created: 3, updated: 0 },
      endpoints: { created: 2, updated: 0 },
      credentials: { created: 5, updated: 0 },
      rejected: [],
    });
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(credentialCount()).toBe(5);
  });

  test("a file with bad rows exits 1, names each row and reason on stderr, and writes nothing", async () => {
    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(
      bad,
      ["keyId,org,grant,sharedWith,issuedAt", "acme-ok-000001,acme-ai,atlas-2,,2026-03-01", "acme-bad-00002,acme-ai,mythos-preview,,2026-03-01", "acme-bad-00003,acme-ai,atlas-2,kite-labeling,2026-03-01", "acme-bad-00004,nowhere,atlas-2,,2026-03-01"].join("\n"),
    );
    const run = await keyward(["import-inventory", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("3 bad rows; nothing was imported");
    expect(run.stderr).toContain("row 3 (acme-bad-00002): grant outside acme-ai's entitlements: mythos-preview");
    expect(run.stderr).toContain("row 4 (acme-bad-00003): sharedWith kite-labeling is not a contractor sponsored by acme-ai");
    expect(run.stderr).toContain("row 5 (acme-bad-00004): unknown organisation nowhere");
    expect(run.stderr).not.toMatch(/row 2 /);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(credentialCount()).toBe(5);
  });

  test("credentials --json prints the inventory in the contract's shape", async () => {
    const run = await keyward(["credentials", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      for (const key of ["keyId", "org", "status", "grant", "ageDays", "rotationState", "expiresAt", "lastUsedAt", "lastUsedIp", "lastUsedUserAgent"]) expect(r, `${r.keyId} has ${key}`).toHaveProperty(key);
      expect(Array.isArray(r.grant)).toBe(true);
      expect(typeof r.ageDays).toBe("number");
      expect(["ok", "due_soon", "overdue", "not_applicable"]).toContain(r.rotationState);
    }
    expect(rows.find((r) => r.keyId === "vega-research-01")).toMatchObject({ org: "vega-bio", status: "active", grant: ["atlas-2", "mythos-preview"], lastUsedIp: "203.0.113.40", lastUsedUserAgent: "model-sdk-python/1.4.2", lastUsedAt: "2026-11-23T22:01:09.000Z" });
    expect(rows.find((r) => r.keyId === "vega-old-batch")).toMatchObject({ status: "revoked", rotationState: "not_applicable", lastUsedAt: null });
  });

  test("credentials --org with an unknown slug exits 1", async () => {
    const run = await keyward(["credentials", "--org", "no-such-org"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--org: no organisation with the slug no-such-org");
    expect(run.stdout).toBe("");
  });
});
