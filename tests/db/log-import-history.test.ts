import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, credentials, logEventRows, logEvents, logImports } from "../../db/schema";
import type { ActionContext } from "../../app/domain/actor";
import {
  effectiveStatus,
  getImport,
  getImportProgress,
  listImports,
  listUnregisteredKeys,
  queueUpload,
  resumeImport,
  startQueuedImport,
  uploadedLogPath,
} from "../../app/models/log-import-history.server";
import { importLogs, isImportRunningHere } from "../../app/models/log-import.server";
import { receiveUpload, UploadError } from "../../app/upload.server";
import { actorFor, createOrg, createUser } from "../support/factories";
import { createCredential, uniqueKeyId } from "../support/credential-factory";

const T0 = Date.parse("2026-11-20T10:00:00Z");
let ctx: ActionContext;
let keyId: string;
let credentialId: string;

function jsonl(n: number, over: (i: number) => Record<string, unknown> = () => ({})) {
  let out = "";
  for (let i = 0; i < n; i++) {
    out += `${JSON.stringify({ ts: new Date(T0 + i * 1000).toISOString(), requestId: `req-${keyId}-${i}`, keyId, srcIp: "198.51.100.7", userAgent: "model-sdk/1.0", method: "POST", path: "/v1/models/atlas-2/messages", status: 200, ...over(i) })}\n`;
  }
  return out;
}

/** What the upload page does: the file on disk under the import's id, then a queued row. */
function upload(content: string, opts: { source?: string; fileName?: string; at?: Date } = {}) {
  const id = crypto.randomUUID();
  const file = uploadedLogPath(id);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  queueUpload(
    { ...ctx, now: opts.at },
    { id, fileName: opts.fileName ?? "gateway.log", sha256: createHash("sha256").update(content).digest("hex"), sizeBytes: Buffer.byteLength(content), source: opts.source ?? "gateway-eu", format: "auto" },
  );
  return { id, file };
}

/** A pid no process has: a finished child's pid can be reused at once on a busy machine, so pick a free high one. */
function deadPid() {
  for (let pid = 4_194_000; pid > 4_000_000; pid--) if (!fs.existsSync(`/proc/${pid}`)) return pid;
  throw new Error("no free pid found");
}

beforeEach(async () => {
  getDb().delete(logEventRows).run();
  getDb().delete(logImports).run();
  const security = await createUser({ role: "security" });
  ctx = { actor: actorFor(security.id), ip: "192.0.2.10" };
  const org = createOrg();
  keyId = uniqueKeyId("kw_live");
  credentialId = createCredential(org.id, { keyId }).id;
});

describe("uploaded log imports", () => {
  it("queues an upload and runs it in the background to completion: counters, last use, audit, file removed", async () => {
    const content = jsonl(300, (i) => (i === 299 ? { srcIp: "203.0.113.77" } : i % 100 === 5 ? { keyId: "kw_unknown_zz9" } : {}));
    const { id, file } = upload(`${content}not json at all\n`);

    const running = startQueuedImport(id, ctx);
    // While it runs, the row is live: queued or running, never "interrupted".
    expect(["queued", "running"]).toContain(getImport(ctx.actor!, id)!.status);
    expect(isImportRunningHere(id)).toBe(true);
    await running;

    const report = getImport(ctx.actor!, id)!;
    expect(report).toMatchObject({ status: "completed", via: "upload", format: "jsonl", lines: 301, parsed: 300, rejected: 1, duplicates: 0, matched: 297, unmatched: 3, progress: 1000 });
    expect(report.rejectedSamples).toEqual([{ line: 301, reason: expect.any(String) }]);
    expect(report.by?.email).toBe(ctx.actor!.email);
    expect(fs.existsSync(file)).toBe(false);
    expect(report.resumable).toBe(false);
    expect(isImportRunningHere(id)).toBe(false);
    expect(getImportProgress(ctx.actor!, id)).toMatchObject({ status: "completed", done: true, parsed: 300 });

    const cred = getDb().select().from(credentials).where(eq(credentials.id, credentialId)).get()!;
    expect(cred.lastUsedAt!.getTime()).toBe(T0 + 299_000);
    expect(cred.lastUsedIp).toBe("203.0.113.77");
    const actions = getDb().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, id)).all().map((a) => a.action);
    expect(actions).toEqual(["logs.import_queued", "logs.import_started", "logs.imported"]);

    expect(listUnregisteredKeys(ctx.actor!, id, {}).rows).toEqual([{ keyRef: "kw_unknown_zz9", events: 3, successes: 3, firstSeen: new Date(T0 + 5000), lastSeen: new Date(T0 + 205_000) }]);
  });

  it("records a failure on the row when the import cannot start (unrecognised format) and keeps the file for Resume", async () => {
    const { id, file } = upload("hello\nthis is not a gateway log\nat all\n");
    await startQueuedImport(id, ctx);
    const report = getImport(ctx.actor!, id)!;
    expect(report.status).toBe("failed");
    expect(report.error).toMatch(/Could not recognise the log format/);
    expect(fs.existsSync(file)).toBe(true);
    expect(report.resumable).toBe(true);
  });

  it("shows a second upload of the same file as a re-import: all duplicates, with a link to the earlier import", async () => {
    const content = jsonl(20);
    const first = upload(content, { at: new Date(Date.now() - 60_000) });
    await startQueuedImport(first.id, ctx);
    const second = upload(content);
    await startQueuedImport(second.id, ctx);
    const report = getImport(ctx.actor!, second.id)!;
    expect(report).toMatchObject({ status: "completed", parsed: 20, duplicates: 20 });
    expect(report.earlierImport?.id).toBe(first.id);
    expect(getImport(ctx.actor!, first.id)!.earlierImport).toBeNull();
  });
});

describe("the import history", () => {
  it("lists imports newest first, paginated, with who started them; nothing for partner users", async () => {
    const ids = [0, 1, 2].map((i) => upload(jsonl(1), { fileName: `f${i}.log`, at: new Date(T0 + i * 60_000) }).id);
    const page1 = listImports(ctx.actor!, { page: 1 }, 2);
    expect(page1).toMatchObject({ total: 3, page: 1, pageCount: 2 });
    expect(page1.rows.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(page1.rows[0]).toMatchObject({ fileName: "f2.log", source: "gateway-eu", via: "upload", by: { email: ctx.actor!.email } });
    const page2 = listImports(ctx.actor!, { page: 2 }, 2);
    expect(page2.rows.map((r) => r.id)).toEqual([ids[0]]);
    expect(listImports(ctx.actor!, { page: 99 }, 2).page).toBe(2);

    const org = createOrg();
    const partner = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    expect(listImports(partner, {})).toMatchObject({ rows: [], total: 0 });
    expect(getImport(partner, ids[0])).toBeNull();
    expect(getImportProgress(partner, ids[0])).toBeNull();
  });

  it("paginates an import's unregistered key references, most used first", async () => {
    const content = jsonl(6, (i) => ({ keyId: `kw_ghost_${i % 3}`, ...(i === 0 ? { status: 403 } : {}) })) + jsonl(1, () => ({ keyId: "kw_ghost_0", requestId: "extra" }));
    const { id } = upload(content);
    await startQueuedImport(id, ctx);
    const p1 = listUnregisteredKeys(ctx.actor!, id, { page: 1 }, 2);
    expect(p1).toMatchObject({ total: 3, pageCount: 2 });
    expect(p1.rows.map((k) => [k.keyRef, k.events, k.successes])).toEqual([
      ["kw_ghost_0", 3, 2],
      ["kw_ghost_1", 2, 2],
    ]);
    expect(listUnregisteredKeys(ctx.actor!, id, { page: 2 }, 2).rows.map((k) => k.keyRef)).toEqual(["kw_ghost_2"]);
  });
});

describe("interrupted imports", () => {
  it("shows an import left running (or queued) by a dead process as interrupted, and a live one as running", () => {
    const db = getDb();
    const row = (over: Partial<typeof logImports.$inferInsert>) => {
      const id = crypto.randomUUID();
      db.insert(logImports).values({ id, source: "cli", format: "jsonl", via: "cli", status: "running", heartbeatAt: new Date(), ...over }).run();
      return id;
    };
    const dead = row({ runnerPid: deadPid() });
    // A restarted server can get the dead one's pid: this process is not running it, so it is interrupted too.
    const samePid = row({ runnerPid: process.pid });
    const queued = row({ status: "queued", runnerPid: process.pid });
    // The CLI in another live process, committing batches: still running.
    const parent = row({ runnerPid: process.ppid });
    // A live process that has not committed for a long time has hung or been replaced: interrupted.
    const silent = row({ runnerPid: process.ppid, heartbeatAt: new Date(Date.now() - 3_600_000) });

    const status = (id: string) => getImport(ctx.actor!, id)!.status;
    expect(status(dead)).toBe("interrupted");
    expect(status(samePid)).toBe("interrupted");
    expect(status(queued)).toBe("interrupted");
    expect(status(parent)).toBe("running");
    expect(status(silent)).toBe("interrupted");
    expect(listImports(ctx.actor!, {}).rows.find((r) => r.id === dead)!.status).toBe("interrupted");
    expect(getImportProgress(ctx.actor!, dead)).toMatchObject({ status: "interrupted", done: true });
    // Only the display changes: the row is untouched (GET requests change nothing).
    expect(db.select({ s: logImports.status }).from(logImports).where(eq(logImports.id, dead)).get()!.s).toBe("running");
    expect(effectiveStatus({ id: dead, status: "completed", runnerPid: null, heartbeatAt: null })).toBe("completed");
  });

  it("resumes an interrupted upload from its last committed batch: nothing stored twice, the rest imported", async () => {
    const first = jsonl(50);
    const rest = jsonl(80).split("\n").slice(50).join("\n");
    const { id, file } = upload(first + rest);
    // The first 50 lines were committed (events, counters, offset), then the process died mid-file.
    const row = getDb().select().from(logImports).where(eq(logImports.id, id)).get()!;
    await importLogs({ source: row.source, format: "auto", via: "upload", input: Readable.from([Buffer.from(first)]), ctx, importId: id, sha256: row.sha256, sizeBytes: row.sizeBytes });
    const db = getDb();
    db.update(logImports).set({ status: "running", runnerPid: deadPid(), finishedAt: null, progress: 600 }).where(eq(logImports.id, id)).run();
    expect(db.select().from(logImports).where(eq(logImports.id, id)).get()).toMatchObject({ lines: 50, bytesDone: Buffer.byteLength(first) });
    expect(getImport(ctx.actor!, id)).toMatchObject({ status: "interrupted", resumable: true });

    expect(resumeImport(ctx, id)).toEqual({ ok: true });
    // A second click while it runs is refused.
    expect(resumeImport(ctx, id)).toMatchObject({ ok: false, message: expect.stringMatching(/nothing to resume/) });
    // The runner removes the uploaded file just after the row turns "completed": wait for both.
    await waitFor(() => getImport(ctx.actor!, id)!.status === "completed" && !fs.existsSync(file));

    const report = getImport(ctx.actor!, id)!;
    expect(report).toMatchObject({ lines: 80, parsed: 80, duplicates: 0, matched: 80 });
    expect(db.select().from(logEvents).all().length).toBe(80);
    expect(fs.existsSync(file)).toBe(false);
    const actions = db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, id)).all().map((a) => a.action);
    expect(actions.slice(-3)).toEqual(["logs.import_resume_requested", "logs.import_resumed", "logs.imported"]);
    expect(resumeImport(ctx, id)).toMatchObject({ ok: false, message: expect.stringMatching(/completed/) });
  });

  it("will not resume an import whose uploaded file is gone", async () => {
    const { id, file } = upload("garbage\n");
    await startQueuedImport(id, ctx);
    fs.rmSync(file);
    expect(getImport(ctx.actor!, id)).toMatchObject({ status: "failed", resumable: false, fileOnDisk: false });
    expect(resumeImport(ctx, id)).toMatchObject({ ok: false, message: expect.stringMatching(/no longer on the server/) });
  });
});

describe("receiving an upload", () => {
  const multipart = (fields: Record<string, string | { name: string; content: string }>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === "string") form.append(k, v);
      else form.append(k, new Blob([v.content]), v.name);
    }
    return new Request("http://keyward.test/imports", { method: "POST", body: form });
  };
  const dest = () => path.join(process.env.KEYWARD_DATA!, "uploads", `${crypto.randomUUID()}.log`);

  it("writes the file part to disk with its SHA-256 and size, and returns the text fields", async () => {
    const content = "line one\nline two\n".repeat(5000);
    const to = dest();
    const { fields, file } = await receiveUpload(multipart({ source: "gateway-eu", file: { name: "../../etc/gw.log", content }, format: "jsonl" }), { fileField: "file", dest: to });
    expect(fields).toEqual({ source: "gateway-eu", format: "jsonl" });
    expect(file).toEqual({ path: to, fileName: "gw.log", sha256: createHash("sha256").update(content).digest("hex"), sizeBytes: Buffer.byteLength(content) });
    expect(fs.readFileSync(to, "utf8")).toBe(content);
  });

  it("refuses a file over the size limit (413) and leaves nothing on disk", async () => {
    const to = dest();
    const error = await receiveUpload(multipart({ file: { name: "big.log", content: "x".repeat(5000) } }), { fileField: "file", dest: to, maxBytes: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).status).toBe(413);
    expect(fs.existsSync(to)).toBe(false);
  });

  it("returns no file when none was chosen, and refuses a body that is not multipart", async () => {
    const to = dest();
    expect((await receiveUpload(multipart({ source: "x", file: { name: "", content: "" } }), { fileField: "file", dest: to })).file).toBeNull();
    expect(fs.existsSync(to)).toBe(false);
    const plain = new Request("http://keyward.test/imports", { method: "POST", body: new URLSearchParams({ source: "x" }) });
    await expect(receiveUpload(plain, { fileField: "file", dest: to })).rejects.toThrow(/Choose a log file/);
  });
});

async function waitFor(check: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
