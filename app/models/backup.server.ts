import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { getDb } from "../../db/client";
import { getEnv } from "~/env.server";

export class BackupError extends Error {}

export type BackupResult = { dest: string; bytes: number; integrity: "ok"; pages: number };

/**
 * Online backup of the live SQLite file (SQLite's backup API through better-sqlite3): a consistent
 * snapshot, safe while the portal keeps writing. The copy is written next to `dest` under a temporary
 * name, switched to a single self-contained file (journal_mode DELETE, no -wal/-shm), checked with
 * `PRAGMA integrity_check` read-only, and only then renamed to `dest`, so a failed backup never leaves
 * a half-written file behind. Refuses an existing `dest` unless `force`.
 */
export async function backupDatabase(dest: string, opts: { force?: boolean } = {}): Promise<BackupResult> {
  const target = path.resolve(dest);
  const live = getEnv().KEYWARD_DB;
  if (target === live || target === `${live}-wal` || target === `${live}-shm`) throw new BackupError("the destination is the live database itself");
  if (fs.existsSync(target)) {
    if (!opts.force) throw new BackupError(`${target} already exists (use --force to overwrite it)`);
    if (!fs.statSync(target).isFile()) throw new BackupError(`${target} exists and is not a file`);
  }
  const dir = path.dirname(target);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new BackupError(`the folder ${dir} does not exist`);

  const partial = path.join(dir, `.${path.basename(target)}.partial-${process.pid}-${Date.now()}`);
  try {
    const progress = await getDb().$client.backup(partial);

    // A WAL-mode copy would need -wal/-shm files beside it; make it one portable file.
    const rw = new Database(partial);
    try {
      rw.pragma("journal_mode = DELETE");
    } finally {
      rw.close();
    }

    const ro = new Database(partial, { readonly: true, fileMustExist: true });
    let integrity: string[];
    try {
      integrity = (ro.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
    } finally {
      ro.close();
    }
    if (integrity.length !== 1 || integrity[0] !== "ok") throw new BackupError(`integrity check of the copy failed: ${integrity.slice(0, 5).join("; ")}`);

    if (opts.force && fs.existsSync(target)) {
      for (const f of [`${target}-wal`, `${target}-shm`]) fs.rmSync(f, { force: true });
    }
    fs.renameSync(partial, target);
    return { dest: target, bytes: fs.statSync(target).size, integrity: "ok", pages: progress.totalPages };
  } finally {
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) fs.rmSync(f, { force: true });
  }
}
