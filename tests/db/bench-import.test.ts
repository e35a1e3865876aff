import { describe, expect, it } from "vitest";
import { runProcess } from "../support/run-process";

// The import benchmark is how the README's Performance figures are reproduced: it must keep running.
// A smoke run on a few thousand lines (its figures are not checked: speed belongs to the benchmark).
describe("bench-import", () => {
  it("imports its generated traffic without and with detection, on the worker, and reports each run", async () => {
    const r = await runProcess(process.execPath, ["--import", "tsx", "scripts/bench-import.ts", "--lines", "3000", "--runs", "2", "--detect", "--parse-in", "worker"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.lines).toBe(3000);
    expect(out.import).toMatchObject({ parsed: 3000, matched: 3000, duplicates: 0 });
    expect(out.import.flagsRaised).toBeGreaterThan(0);
    expect(out.withoutDetection).toMatchObject({ parsed: 3000, flagsRaised: 0 });
    expect(out.runs).toHaveLength(2);
    for (const run of out.runs) expect(run).toMatchObject({ ratio: expect.any(Number), importSeconds: expect.any(Number), withoutDetectionSeconds: expect.any(Number) });
    expect(out.detectionOverhead).toMatch(/^\+-?\d+%$/);
    expect(out.peakRssMb).toBeGreaterThan(0);
  }, 120_000);
});
