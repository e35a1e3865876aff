import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { importLogs, LogImportError } from "../../app/models/log-import.server";
import { createOrg } from "../support/factories";
import { createCredential } from "../support/credential-factory";

// A large file is parsed in a worker thread (app/log-parse.worker.ts) while this thread inserts. The
// worker runs the same stage as the in-thread path: both must store the same events with the same
// counters, and report the same errors.

const T0 = Date.parse("2026-11-21T08:00:00Z");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-worker-"));
const raw = () => getDb().$client;
let n = 0;

function writeFile(name: string, data: string | Buffer) {
  const f = path.join(dir, `${n++}-${name}`);
  fs.writeFileSync(f, data);
  return f;
}

function mixedLog(keyId: string) {
  const lines: string[] = [];
  for (let i = 0; i < 2_500; i++) {
    const e: Record<string, unknown> = { ts: new Date(T0 + i * 700).toISOString(), requestId: `w-${i}`, keyId: i % 7 === 0 ? "kw_unregistered_w" : keyId, srcIp: `198.51.100.${i % 9}`, userAgent: i % 2 ? "curl/8.5.0" : "model-sdk-node/2.0.1", method: "POST", path: i % 5 ? "/v1/models/atlas-2/messages" : "/v1/models/orion-x/messages", status: i % 11 === 0 ? 404 : 200, bytes: 100 + i };
    if (i % 400 === 3) e.authorization = "Bearer sk-live-should-never-be-stored";
    lines.push(i % 300 === 5 ? "{broken" : JSON.stringify(e));
  }
  return `${lines.join("\n")}\n`;
}

const importFile = (file: string, parseIn: "worker" | "thread", extra: Partial<Parameters<typeof importLogs>[0]> = {}) =>
  importLogs({ source: `worker-test-${n++}`, format: "auto", via: "cli", filePath: file, parseIn, ctx: { actor: null, ip: null }, ...extra });

const storedEvents = () =>
  raw()
    .prepare("select event_key, ts, request_id, key_ref, credential_ref, src_ip, user_agent, method, path, endpoint, model, status, bytes from log_events order by ts, event_key")
    .all();
const usage = () => raw().prepare("select credential_id, day, requests, errors from credential_usage_daily order by credential_id, day").all();

beforeEach(() => {
  for (const t of ["log_events", "log_import_keys", "log_imports", "credential_usage_daily", "credential_daily_ips"]) raw().prepare(`delete from ${t}`).run();
});

describe("parsing in a worker thread", () => {
  it("stores the same events, usage and counters as parsing on the import's own thread", async () => {
    const cred = createCredential(createOrg().id, { keyId: "kw_live_worker1" });
    const file = writeFile("mixed.jsonl", mixedLog(cred.keyId));

    const inThread = await importFile(file, "thread");
    const eventsThread = storedEvents();
    const usageThread = usage();
    for (const t of ["log_events", "credential_usage_daily", "credential_daily_ips"]) raw().prepare(`delete from ${t}`).run();
    const inWorker = await importFile(file, "worker");

    const strip = (s: typeof inThread) => ({ ...s, importId: undefined, seconds: undefined });
    expect(strip(inWorker)).toEqual(strip(inThread));
    expect(inWorker).toMatchObject({ lines: 2_500, rejected: 9, secretsStripped: 7, secretFields: { authorization: 7 } });
    expect(storedEvents()).toEqual(eventsThread);
    expect(eventsThread).toHaveLength(2_491);
    expect(usage()).toEqual(usageThread);
    expect(JSON.stringify(storedEvents())).not.toContain("sk-live");
  });

  it("stores nothing twice when the same file is imported again through the worker", async () => {
    const cred = createCredential(createOrg().id, { keyId: "kw_live_worker2" });
    const file = writeFile("again.jsonl", mixedLog(cred.keyId));
    await importFile(file, "worker");
    const again = await importFile(file, "worker");
    expect(again).toMatchObject({ parsed: 2_491, duplicates: 2_491 });
    expect(storedEvents()).toHaveLength(2_491);
  });

  it("reports a wrong format, an empty file and a truncated gzip as the in-thread path does, keeping the events before a broken tail", async () => {
    const wrong = writeFile("wrong.log", Array.from({ length: 30 }, (_, i) => `not a log line ${i}`).join("\n"));
    await expect(importFile(wrong, "worker", { format: "jsonl" })).rejects.toThrow(/None of the first 20 lines is valid jsonl/);
    await expect(importFile(writeFile("empty.jsonl", ""), "worker")).rejects.toThrow(/The file is empty/);

    const cred = createCredential(createOrg().id, { keyId: "kw_live_worker3" });
    const gz = gzipSync(Buffer.from(mixedLog(cred.keyId)));
    const truncated = writeFile("cut.jsonl.gz", gz.subarray(0, Math.floor(gz.length * 0.6)));
    const error = await importFile(truncated, "worker").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogImportError);
    expect((error as LogImportError).message).toMatch(/gzip file is truncated/);
    expect((error as LogImportError).importId).toBeTruthy();
    const kept = storedEvents().length;
    expect(kept).toBeGreaterThan(0);
    const row = raw().prepare("select status, parsed from log_imports where id = ?").get((error as LogImportError).importId) as { status: string; parsed: number };
    expect(row.status).toBe("failed");
    expect(kept).toBe(row.parsed); // every event parsed before the break was stored
  });

  it("passes on a missing file's error code, as the in-thread path does (the upload page reports a file gone from the server)", async () => {
    const missing = path.join(dir, "gone.jsonl");
    const inThread = await importFile(missing, "thread").catch((e: NodeJS.ErrnoException) => e);
    const inWorker = await importFile(missing, "worker").catch((e: NodeJS.ErrnoException) => e);
    expect((inThread as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((inWorker as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});
