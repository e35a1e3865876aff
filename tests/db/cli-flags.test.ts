import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runShell } from "../support/run-process";

// `keyward import-logs` then `keyward flags --json`, as an operator runs them, on a database of their own
// (created and migrated by the first command). One shell, two commands, to keep it to one start-up cost each.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-cli-flags-"));
const DB_FILE = path.join(dir, "keyward.db");
const LOG = path.join(dir, "gateway.jsonl");
const T0 = Date.parse("2026-11-20T10:00:00Z");

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runShell(script, { env: { ...process.env, KEYWARD_DB: DB_FILE, KEYWARD_DATA: path.join(dir, "data"), NODE_ENV: "test" } });
}

describe("keyward flags", () => {
  test("an import raises flags that `flags --json` lists in the contract's shape, newest first", async () => {
    const line = (i: number, over: Record<string, unknown>) => JSON.stringify({ ts: new Date(T0 + i * 1000).toISOString(), requestId: `c${i}`, keyId: "kw_live_never_registered", srcIp: "203.0.113.9", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/messages", status: 200, ...over });
    fs.writeFileSync(LOG, [line(1, {}), line(2, { userAgent: "nuclei/3.1", keyId: null, status: 404, path: "/.env" })].join("\n") + "\n");
    const node = `"${process.execPath}" --import tsx scripts/keyward.ts`;
    const run = await sh(`${node} import-logs "${LOG}" --json > "${dir}/import.json" && ${node} flags --json`);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "import.json"), "utf8"));
    expect(summary).toMatchObject({ parsed: 2, flagsRaised: 2 });
    const out = JSON.parse(run.stdout);
    expect(out).toEqual([
      { id: expect.any(String), rule: "scanner_user_agent", severity: "high", keyId: null, org: null, srcIp: "203.0.113.9", status: "open", count: 1, firstSeen: new Date(T0 + 2000).toISOString(), lastSeen: new Date(T0 + 2000).toISOString(), summary: expect.stringContaining("nuclei") },
      { id: expect.any(String), rule: "unregistered_credential", severity: expect.any(String), keyId: null, org: null, srcIp: "203.0.113.9", status: "open", count: 1, firstSeen: new Date(T0 + 1000).toISOString(), lastSeen: new Date(T0 + 1000).toISOString(), summary: expect.stringContaining("kw_live_never_registered") },
    ]);
  }, 60_000);
});
