import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { closeDb, getDb } from "../../db/client";
import { getEnv } from "../../app/env.server";
import { createImportDetector } from "../../app/models/detection.server";
import { importInventory, readInventoryFile } from "../../app/models/inventory-import.server";
import { importLogs } from "../../app/models/log-import.server";
import { STAGE_RULES } from "../../app/domain/detection/stage-detection";
import { generateTraffic, writeTraffic } from "../../scripts/gen-traffic";

// When a large file is parsed in a worker, detection's event-only rules (STAGE_RULES) run there and
// the others on the import's thread. The flags must be exactly those of the one-thread path, over a
// labelled day with every rule's attack injected, after the same history (baselines).

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-detect-worker-"));
const ctx = { actor: null, ip: null };

function flagRows() {
  return getDb()
    .$client.prepare("select f.rule, f.subject_key, f.severity, f.count, f.first_seen, f.last_seen, f.summary, f.evidence, f.window_ms, c.key_id from flags f left join credentials c on c.id = f.credential_id")
    .all()
    .map((r) => JSON.stringify(r).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>"))
    .sort();
}

const importDay = (file: string, parseIn: "worker" | "thread") =>
  importLogs({ source: "day", format: "jsonl", via: "cli", filePath: file, parseIn, ctx, ...createImportDetector() });

describe("detection split between the parse worker and the import's thread", () => {
  it("raises the same flags, with the same counts and evidence, as detection on one thread", async () => {
    const traffic = path.join(dir, "traffic");
    writeTraffic(traffic, generateTraffic({ seed: 7, credentials: 40 }));
    const inv = readInventoryFile("inventory.json", fs.readFileSync(path.join(traffic, "inventory.json"), "utf8"));
    if (!inv.ok) throw new Error("inventory did not parse");
    expect(importInventory(ctx, inv.doc).ok).toBe(true);
    const history = path.join(traffic, "history.jsonl");
    await importLogs({ source: "history", format: "jsonl", via: "cli", input: fs.createReadStream(history), ctx, ...createImportDetector() });
    getDb().$client.exec("delete from flags");
    const snapshot = path.join(dir, "after-history.db");
    getDb().$client.exec(`vacuum into '${snapshot}'`);

    const day = path.join(traffic, "day.jsonl");
    const oneThread = await importDay(day, "thread");
    const expected = flagRows();

    // Back to the state after the history (baselines, last use), then the same day through the worker.
    closeDb();
    const db = getEnv().KEYWARD_DB;
    for (const f of [db, `${db}-wal`, `${db}-shm`]) fs.rmSync(f, { force: true });
    fs.copyFileSync(snapshot, db);
    const detector = createImportDetector();
    const twoThreads = await importLogs({ source: "day", format: "jsonl", via: "cli", filePath: day, parseIn: "worker", ctx, ...detector });

    expect(twoThreads.flagsRaised).toBe(oneThread.flagsRaised);
    expect(flagRows()).toEqual(expected);
    expect(detector.ruleErrors()).toEqual([]);
    // Both sides raised flags: the stage's rules and the thread's.
    const rules = new Set(expected.map((r) => JSON.parse(r).rule as string));
    expect([...rules].some((r) => (STAGE_RULES as readonly string[]).includes(r))).toBe(true);
    expect([...rules].some((r) => !(STAGE_RULES as readonly string[]).includes(r))).toBe(true);
    expect(expected.length).toBeGreaterThan(10);

    // A re-import through the worker stores nothing and changes no flag.
    const again = await importDay(day, "worker");
    expect(again).toMatchObject({ duplicates: again.parsed, flagsRaised: 0 });
    expect(flagRows()).toEqual(expected);
  }, 120_000);
});
