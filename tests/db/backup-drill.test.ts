import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../app/models/demo-seed.server";
import { DEMO_TOTP_SECRET } from "../../app/models/demo-seed-account.server";
import { ROOT, signInOverHttp, startPortalProcess, stopPortalProcess } from "../../scripts/portal-process";

// Issue 9, point 5: `keyward backup` while another process keeps writing produces a database that
// opens, passes integrity_check, verifies its audit chain and holds every row committed before the
// backup started; then the README's restore procedure brings a portal up on it.

const maxAuditId = (file: string) => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("select coalesce(max(id), 0) as m from audit_log").get() as { m: number }).m;
  } finally {
    db.close();
  }
};

describe("backup under writes, and restore", () => {
  it("copies everything committed before it started, consistently, while a writer keeps going", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-backup-"));
    const live = path.join(dir, "live.db");
    const env = { ...process.env, KEYWARD_DB: live, KEYWARD_DATA: path.join(dir, "data") };
    const cli = (args: string[], over: Record<string, string> = {}) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/keyward.ts", ...args], { cwd: ROOT, env: { ...env, ...over }, encoding: "utf8" });
    expect(cli(["seed-demo"]).status).toBe(0);
    const writer = spawn(process.execPath, ["--import", "tsx", "tests/support/drill-writer.ts"], { cwd: ROOT, env, stdio: "ignore" });
    const writerExit = new Promise((r) => writer.once("exit", r));
    try {
      // Wait for the writer to be well under way.
      const deadline = Date.now() + 30_000;
      while (maxAuditId(live) < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const committedBefore = maxAuditId(live);
      expect(committedBefore).toBeGreaterThanOrEqual(500);

      const dest = path.join(dir, "backup.db");
      const backup = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ["--import", "tsx", "scripts/keyward.ts", "backup", dest, "--json"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        p.on("close", (code) => resolve({ code, out }));
      });
      expect(backup.code, backup.out).toBe(0);
      expect(JSON.parse(backup.out)).toMatchObject({ integrity: "ok" });
      // The writer kept writing through the backup.
      const afterBackup = maxAuditId(live);
      await new Promise((r) => setTimeout(r, 300));
      expect(maxAuditId(live)).toBeGreaterThan(afterBackup);

      const copy = new Database(dest, { readonly: true, fileMustExist: true });
      try {
        expect((copy.pragma("integrity_check") as { integrity_check: string }[])[0].integrity_check).toBe("ok");
        expect((copy.pragma("journal_mode") as { journal_mode: string }[])[0].journal_mode).toBe("delete");
        // Audit ids are contiguous: all rows up to committedBefore are there.
        const kept = copy.prepare("select count(*) as n from audit_log where id <= ?").get(committedBefore) as { n: number };
        expect(kept.n).toBe(committedBefore);
        expect((copy.prepare("select count(*) as n from users").get() as { n: number }).n).toBeGreaterThan(5);
      } finally {
        copy.close();
      }
      expect(fs.existsSync(`${dest}-wal`)).toBe(false);
      writer.kill("SIGKILL");
      await writerExit;

      // Restore (README "Backup and restore"): portal stopped, the copy put in place of KEYWARD_DB with
      // no -wal/-shm beside it, audit-verify, start the portal.
      const restoredDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-restored-"));
      const restored = path.join(restoredDir, "keyward.db");
      fs.copyFileSync(dest, restored);
      const renv = { KEYWARD_DB: restored, KEYWARD_DATA: path.join(restoredDir, "data") };
      const verify = cli(["audit-verify"], renv);
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const portal = await startPortalProcess({ ...env, ...renv });
      try {
        const cookie = await signInOverHttp(portal.baseUrl, "security@keyward.demo", DEMO_PASSWORD, DEMO_TOTP_SECRET);
        const audit = await fetch(`${portal.baseUrl}/audit`, { headers: { Cookie: cookie } });
        expect(audit.status).toBe(200);
        expect(await audit.text()).toContain("drill.write");
      } finally {
        await stopPortalProcess(portal);
        fs.rmSync(restoredDir, { recursive: true, force: true });
      }
    } finally {
      if (writer.exitCode === null && writer.signalCode === null) writer.kill("SIGKILL");
      await writerExit;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
