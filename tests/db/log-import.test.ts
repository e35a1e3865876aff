import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { eventRefOf } from "../../db/event-store";
import { credentials, credentialUsageDaily, logEventRows, logEvents, logImports } from "../../db/schema";
import { count, eq } from "drizzle-orm";
import { importLogs, LogImportError } from "../../app/models/log-import.server";
import { createOrg } from "../support/factories";
import { createCredential, createRotation, DAY } from "../support/credential-factory";

const T0 = Date.parse("2026-11-20T10:00:00Z");

function jsonl(events: Record<string, unknown>[]) {
  return events.map((e) => JSON.stringify(e)).join("\n") + "\n";
}
let K = "kw_live_alpha1";
let run_ = 0;
function ev(i: number, over: Record<string, unknown> = {}) {
  return { ts: new Date(T0 + i * 1000).toISOString(), requestId: `r${run_}-${i}`, keyId: K, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/models/atlas-2/messages", status: 200, bytes: 512, ...over };
}
async function* pieces(data: string | Buffer, size = 4096) {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
const run = (data: string | Buffer, extra: Partial<Parameters<typeof importLogs>[0]> = {}) =>
  importLogs({ source: "test", format: "auto", via: "cli", input: pieces(data), ctx: { actor: null, ip: null }, ...extra });

const eventCount = () => getDb().select({ n: count() }).from(logEventRows).get()!.n; // the rows: counting the view would join every string

beforeEach(() => {
  // Each test counts events from zero.
  getDb().delete(logEventRows).run();
  getDb().delete(logImports).run();
  run_++;
  K = `kw_live_t${run_}`;
});

describe("importing gateway logs", () => {
  it("stores each event, ties it to its credential, moves last use forward and counts daily usage", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    const data = jsonl([ev(1), ev(2, { status: 404, path: "/v1/models/orion/messages" }), ev(3, { keyId: "kw_unknown_zz9", srcIp: "203.0.113.9" }), ev(4, { srcIp: "198.51.100.8" })]);
    const s = await run(data);
    expect(s).toMatchObject({ format: "jsonl", lines: 4, parsed: 4, rejected: 0, duplicates: 0, matched: 3, unmatched: 1 });
    expect(s.unregisteredKeys).toEqual([{ keyRef: "kw_unknown_zz9", events: 1, successes: 1 }]);
    expect(eventCount()).toBe(4);
    const c = getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!;
    expect(c.lastUsedAt!.getTime()).toBe(T0 + 4000);
    expect(c.lastUsedIp).toBe("198.51.100.8");
    const usage = getDb().select().from(credentialUsageDaily).where(eq(credentialUsageDaily.credentialId, cred.id)).all();
    expect(usage).toEqual([{ credentialId: cred.id, day: "2026-11-20", requests: 3, errors: 1 }]);
    const stored = getDb().select({ endpoint: logEvents.endpoint, model: logEvents.model }).from(logEvents).all();
    expect(stored.length).toBe(4);
  });

  it("stores nothing twice when the same file (or the same events, gzipped) is imported again", async () => {
    const org = createOrg();
    createCredential(org.id, { keyId: K });
    const data = jsonl(Array.from({ length: 50 }, (_, i) => ev(i)));
    await run(data);
    const again = await run(gzipSync(data));
    expect(again).toMatchObject({ parsed: 50, duplicates: 50 });
    expect(eventCount()).toBe(50);
  });

  it("only moves last use forward: an older log does not pull it back", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: K });
    await run(jsonl([ev(100)]));
    await run(jsonl([ev(1, { srcIp: "192.0.2.1" })]));
    const c = getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!;
    expect(c.lastUsedAt!.getTime()).toBe(T0 + 100_000);
    expect(c.lastUsedIp).toBe("198.51.100.7");
  });

  it("matches a rotated-away key id to its credential", async () => {
    const org = createOrg();
    const cred = createCredential(org.id, { keyId: "kw_live_new222" });
    createRotation(cred.id, { oldKeyId: "kw_live_old111", newKeyId: "kw_live_new222", rotatedAt: new Date(T0 - DAY), graceEndsAt: new Date(T0) });
    const s = await run(jsonl([ev(1, { keyId: "kw_live_old111" })]));
    expect(s.matched).toBe(1);
    expect(getDb().select({ c: logEvents.credentialRef }).from(logEvents).get()!.c).toBe(eventRefOf(getDb().$client, "credential", cred.id));
  });

  it("counts and reports malformed lines with their numbers and keeps going", async () => {
    const data = [JSON.stringify(ev(1)), "{not json", JSON.stringify({ ...ev(2), status: "teapot" }), "", JSON.stringify(ev(3))].join("\n");
    const s = await run(data, { format: "jsonl" });
    expect(s).toMatchObject({ lines: 4, parsed: 2, rejected: 2 });
    expect(s.rejectedSamples.map((r) => r.line)).toEqual([2, 3]);
    expect(s.rejectedSamples.every((r) => r.reason.length > 3)).toBe(true);
  });

  it("drops secret material before storage, counts it and names the field", async () => {
    const s = await run(jsonl([ev(1, { path: "/v1/models/atlas-2/messages?api_key=sk-live-abcdef1234567890" }), ev(2)]));
    expect(s.secretsStripped).toBe(1);
    expect(Object.keys(s.secretFields).length).toBeGreaterThan(0);
    const dump = JSON.stringify(getDb().select().from(logEvents).all());
    expect(dump).not.toContain("sk-live-abcdef1234567890");
  });

  it("refuses a file in the wrong format after its first lines, with a clear message", async () => {
    const nginx = Array.from({ length: 30 }, (_, i) => `192.0.2.1 - - [20/Nov/2026:10:00:${String(i).padStart(2, "0")} +0000] "GET /v1/models HTTP/1.1" 200 12 "-" "curl/8.5.0"`).join("\n");
    await expect(run(nginx, { format: "jsonl" })).rejects.toThrow(/None of the first 20 lines is valid jsonl/);
    expect(eventCount()).toBe(0);
    const failed = getDb().select().from(logImports).all().at(-1)!;
    expect(failed.status).toBe("failed");
  });

  it("refuses an invalid --map before writing anything, naming the field", async () => {
    const before = getDb().select().from(logImports).all().length;
    const line = JSON.stringify({ ts: "2026-11-20T10:00:00Z", method: "GET", path: "/v1/models", status: 200 });
    await expect(run(line, { format: "jsonl", map: { path: "a..b" } })).rejects.toThrow(LogImportError);
    await expect(run(line, { format: "jsonl", map: { bogus: "x" } as never })).rejects.toThrow(/--map bogus: Map a canonical field/);
    expect(getDb().select().from(logImports).all().length).toBe(before);
    expect(eventCount()).toBe(0);
  });

  it("gives clear messages for an empty file, a binary file and an unknown format", async () => {
    await expect(run("")).rejects.toThrow(/empty/);
    await expect(run(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]))).rejects.toThrow(/binary/);
    await expect(run("hello world\nthis is not a log\n")).rejects.toThrow(/Could not recognise/);
  });

  it("keeps what came before a truncated gzip and finishes it on a re-run of the fixed file", async () => {
    const data = jsonl(Array.from({ length: 20000 }, (_, i) => ev(i)));
    const gz = gzipSync(data);
    const sha = "f".repeat(64);
    await expect(run(gz.subarray(0, Math.floor(gz.length * 0.6)), { sha256: sha })).rejects.toThrow(/truncated/);
    const partial = eventCount();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(20000);
    const done = await run(gz, { sha256: sha });
    expect(done.resumed).toBe(true);
    expect(eventCount()).toBe(20000);
    expect(done.parsed).toBe(20000);
    expect(done.duplicates).toBe(0);
  });
});

describe("an import killed mid-file", () => {
  it("leaves a consistent database, and the re-run completes it with no duplicates", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-kill-"));
    const env = { ...process.env, KEYWARD_DB: path.join(dir, "k.db"), KEYWARD_DATA: path.join(dir, "data") };
    const file = path.join(dir, "big.jsonl");
    const N = 300_000;
    const out = fs.createWriteStream(file);
    for (let i = 0; i < N; i++) out.write(`${JSON.stringify(ev(i))}\n`);
    await new Promise<void>((r) => out.end(() => r()));
    const root = path.resolve(__dirname, "../..");
    const cli = (args: string[]) => spawn(process.execPath, ["--import", "tsx", "scripts/keyward.ts", ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const done = (p: ReturnType<typeof cli>) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      let o = "";
      let e = "";
      p.stdout!.on("data", (d) => (o += d));
      p.stderr!.on("data", (d) => (e += d));
      p.on("close", (code) => resolve({ code, out: o, err: e }));
    });
    try {
      const first = cli(["import-logs", file, "--json"]);
      const firstDone = done(first);
      // Kill it once some batches have committed.
      const deadline = Date.now() + 60_000;
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        if (!fs.existsSync(env.KEYWARD_DB)) continue;
        const probe = new Database(env.KEYWARD_DB, { readonly: true, fileMustExist: true });
        let committed = 0;
        try {
          committed = (probe.prepare("select coalesce(max(bytes_done), 0) as b from log_imports").get() as { b: number }).b;
        } catch {
          /* schema not there yet */
        }
        probe.close();
        if (committed > 0 || Date.now() > deadline) break;
      }
      first.kill("SIGKILL");
      await firstDone;
      const check = new Database(env.KEYWARD_DB, { readonly: true });
      expect((check.prepare("pragma integrity_check").get() as { integrity_check: string }).integrity_check).toBe("ok");
      const before = (check.prepare("select count(*) as n from log_event_rows").get() as { n: number }).n;
      check.close();
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(N);

      const second = await done(cli(["import-logs", file, "--json"]));
      expect(second.code, second.err).toBe(0);
      const summary = JSON.parse(second.out);
      expect(summary.resumed).toBe(true);
      const after = new Database(env.KEYWARD_DB, { readonly: true });
      expect((after.prepare("select count(*) as n from log_event_rows").get() as { n: number }).n).toBe(N);
      after.close();
      const verify = await done(cli(["audit-verify"]));
      expect(verify.code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
