import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { DEMO_TOTP_SECRET } from "../../app/models/demo-seed-account.server";
import { ROOT, signInOverHttp, startPortalProcess, stopPortalProcess, type PortalProcess } from "../../scripts/portal-process";
import { mulberry32 } from "~/domain/seeded-random";

// Issue 9, point 5: kill -9 the SERVER during an upload (the body still arriving, or the background
// import running) at a random point per seed; then the database passes integrity_check, the audit
// chain verifies, and uploading the same file again completes it with every event exactly once.
// Needs the built app (`npx remix build`).

const N = 60_000; // events per file (~14 MB): six 10,000-event batches
const SEEDS = [11, 23, 41, 53]; // two kills land in the upload, two in the import

function logFile(seed: number): Buffer {
  const t0 = Date.UTC(2026, 10, 1);
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(JSON.stringify({ ts: new Date(t0 + i * 1000).toISOString(), requestId: `drill${seed}-${i}`, keyId: `kw_live_drill${seed}`, srcIp: "198.51.100.7", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/models/atlas-2/messages", status: 200, bytes: 512 }));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** A multipart upload whose body trickles in (64 KiB every few ms), so that a kill can land mid-body. */
function uploadRequest(baseUrl: string, cookie: string, file: Buffer, name: string) {
  const boundary = `----drill${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\ndrill\r\n--${boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\nauto\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/x-ndjson\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const whole = Buffer.concat([head, file, tail]);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= whole.length) return controller.close();
      await new Promise((r) => setTimeout(r, 2));
      controller.enqueue(whole.subarray(offset, offset + 131072));
      offset += 131072;
    },
  });
  return fetch(`${baseUrl}/imports?index`, {
    method: "POST",
    headers: { Origin: baseUrl, Cookie: cookie, "Content-Type": `multipart/form-data; boundary=${boundary}` },
    body,
    redirect: "manual",
    duplex: "half",
  } as RequestInit);
}

function probe<T>(dbFile: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const eventsOf = (dbFile: string, seed: number) =>
  probe(dbFile, (db) => db.prepare("select count(*) as n, count(distinct request_id) as d from log_event_rows where request_id like ?").get(`drill${seed}-%`) as { n: number; d: number });

describe("the server killed during an upload", () => {
  it("leaves a consistent database at every seed, and the same upload again completes with no duplicates", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-srvdrill-"));
    const env = { ...process.env, KEYWARD_DB: path.join(dir, "k.db"), KEYWARD_DATA: path.join(dir, "data") };
    const cli = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", ...args], { cwd: ROOT, env, encoding: "utf8" });
    let portal: PortalProcess | undefined;
    try {
      expect(cli(["seed-demo"]).status).toBe(0);
      portal = await startPortalProcess(env);
      // One session for the whole drill: sessions live in the database and survive the kills.
      const cookie = await signInOverHttp(portal.baseUrl, "security@keyward.demo", DEMO_PASSWORD, DEMO_TOTP_SECRET);
      const killedAt: string[] = [];
      for (const seed of SEEDS) {
        const rand = mulberry32(seed);
        const file = logFile(seed);
        const started = Date.now();
        const upload = uploadRequest(portal.baseUrl, cookie, file, `drill-${seed}.jsonl`).catch((e: unknown) => e);
        // Half the seeds kill while the body is still arriving, half once the background import has
        // stored a random share of the events (polled every 5 ms).
        const duringImport = rand() < 0.5;
        if (duringImport) {
          const threshold = 1 + Math.floor(rand() * (N - 20_001)); // before the last batch
          const until = Date.now() + 60_000;
          while (eventsOf(env.KEYWARD_DB, seed).n < threshold && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        } else {
          await new Promise((r) => setTimeout(r, 30 + Math.floor(rand() * 600)));
        }
        const before = eventsOf(env.KEYWARD_DB, seed).n;
        portal.child.kill("SIGKILL");
        await portal.exited;
        await upload;
        killedAt.push(`seed ${seed}: killed ${duringImport ? "during the import" : "during the upload"} after ${Date.now() - started} ms with ${before} events stored`);

        const integrity = probe(env.KEYWARD_DB, (db) => (db.prepare("pragma integrity_check").get() as { integrity_check: string }).integrity_check);
        expect(integrity, `seed ${seed}`).toBe("ok");
        const verify = cli(["audit-verify"]);
        expect(verify.status, `seed ${seed}: ${verify.stdout}${verify.stderr}`).toBe(0);
        expect(eventsOf(env.KEYWARD_DB, seed).n).toBeLessThanOrEqual(N);

        // Re-run on a restarted portal: Resume the interrupted import when its file was fully received,
        // otherwise upload the same file again; either way to completion.
        portal = await startPortalProcess(env);
        const killed = probe(env.KEYWARD_DB, (db) => db.prepare("select id, status from log_imports where file_name = ? order by rowid desc limit 1").get(`drill-${seed}.jsonl`) as { id: string; status: string } | undefined);
        let importId: string | null = null;
        if (killed?.status === "completed") {
          importId = killed.id;
          killedAt.push("  the import had completed before the kill");
        } else if (killed) {
          const res = await fetch(`${portal.baseUrl}/imports/${killed.id}`, { method: "POST", headers: { Origin: portal.baseUrl, Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" }, body: "intent=resume", redirect: "manual" });
          if (res.status === 302) {
            importId = killed.id;
            killedAt.push(`  resumed the interrupted import (${killed.status})`);
          } else {
            const reason = (await res.text()).match(/role="alert"[^>]*>([^<]+)/)?.[1] ?? `HTTP ${res.status}`;
            killedAt.push(`  resume refused (${reason}): uploaded again`);
          }
        }
        if (!importId) {
          const res = await uploadRequest(portal.baseUrl, cookie, file, `drill-${seed}.jsonl`);
          expect(res.status, `seed ${seed}: ${await res.clone().text()}`).toBe(302);
          importId = res.headers.get("Location")!.replace("/imports/", "");
          if (!killed) killedAt.push("  no import row yet: uploaded again");
        }
        const deadline = Date.now() + 60_000;
        let status = "";
        while (Date.now() < deadline) {
          status = probe(env.KEYWARD_DB, (db) => (db.prepare("select status from log_imports where id = ?").get(importId) as { status: string } | undefined)?.status ?? "");
          if (status === "completed" || status === "failed") break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(status, `seed ${seed}`).toBe("completed");
        expect(eventsOf(env.KEYWARD_DB, seed), `seed ${seed}`).toEqual({ n: N, d: N });
      }
      await stopPortalProcess(portal);
      expect(probe(env.KEYWARD_DB, (db) => (db.prepare("pragma integrity_check").get() as { integrity_check: string }).integrity_check)).toBe("ok");
      expect(cli(["audit-verify"]).status).toBe(0);
      console.info(killedAt.join("\n"));
    } finally {
      if (portal) await stopPortalProcess(portal, "SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
