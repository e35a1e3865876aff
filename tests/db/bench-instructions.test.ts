import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProcess } from "../support/run-process";

// bench-instructions counts a whole import under valgrind, which CI does not install. What it runs under
// valgrind is tested here without it, so that the script keeps working as the import changes: the seeded
// template database, and one import into a copy of it, with detection.
const dir = mkdtempSync(path.join(os.tmpdir(), "keyward-bench-instructions-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsx = (script: string, args: string[], env: Record<string, string> = {}) => runProcess(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env } });

describe("bench-instructions", () => {
  it("seeds its template database and imports generated traffic into a copy of it, with detection", async () => {
    const file = path.join(dir, "traffic.jsonl");
    const template = path.join(dir, "template.db");
    const data = path.join(dir, "data");
    expect((await tsx("scripts/bench-import.ts", ["--generate-only", file, "--lines", "3000"])).code).toBe(0);
    const seeded = await tsx("scripts/bench-instructions.ts", ["--seed"], { KEYWARD_DB: template, KEYWARD_DATA: data });
    expect(seeded.stderr).toBe("");
    expect(seeded.code).toBe(0);
    const r = await tsx("scripts/bench-instructions.ts", ["--import-once", file, "--template", template, "--detect"], { KEYWARD_DB: path.join(dir, "with.db"), KEYWARD_DATA: data });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ parsed: 3000, matched: 3000 }); // the copy holds the template's credentials
    expect(out.flagsRaised).toBeGreaterThan(0);
  }, 120_000);
});
