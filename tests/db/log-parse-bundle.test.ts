import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundlePaths, buildWorkerBundle, isFresh, workerBundle } from "../../app/log-parse-bundle.server";
import { parseFileInWorker } from "../../app/log-parse-thread.server";
import type { StageMessage, StageSetup } from "../../app/log-parse-stage.server";

// The parse worker runs from a bundle built with esbuild (a worker loading it starts in a third of the
// time tsx needs for the sources), rebuilt whenever a source changes, and from its sources through tsx
// when there is no bundle. Both must parse alike.

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bundle-"));

const ENTRY = path.resolve("app/log-parse.worker.ts");

/** A bundle "built" from `files` at `startedAt` (what isFresh reads), without running esbuild. */
function fakeBundle(startedAt: number, files: string[], entry = ENTRY) {
  const b = bundlePaths(tmp());
  fs.writeFileSync(b.file, "// bundle");
  fs.writeFileSync(b.inputs, JSON.stringify({ entry, startedAt, files }));
  return b;
}

const setup: StageSetup = {
  format: "jsonl",
  resumeAfter: 0,
  counters: { lines: 0, parsed: 0, rejected: 0, matched: 0, unmatched: 0, secretsStripped: 0 },
  samples: [],
  secretFields: {},
  keysById: new Map([["kw_live_bundle", "cred-1"]]),
  keysByFingerprint: new Map(),
  credentialRefs: new Map([["cred-1", 7]]),
  endpoints: [{ name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" }],
  models: [{ name: "atlas-2", aliases: [] }],
};

async function batches(bundle: string | null, file: string) {
  const out: Extract<StageMessage, { type: "batch" }>[] = [];
  for await (const m of parseFileInWorker(file, setup, undefined, bundle)) if (m.type === "batch") out.push(m);
  return out.map((m) => ({ counters: m.counters, samples: m.samples, n: m.batch.n, strings: m.batch.strings, ts: [...m.batch.ts], credentialRef: [...m.batch.credentialRef], path: [...m.batch.path], endOffset: m.endOffset }));
}

describe("the parse worker's bundle", () => {
  it("is built from the worker's sources, without zod, and is fresh until a source changes", async () => {
    const b = bundlePaths(tmp());
    expect(isFresh(b)).toBe(false);
    await buildWorkerBundle(b);
    expect(isFresh(b)).toBe(true);
    const inputs = JSON.parse(fs.readFileSync(b.inputs, "utf8")) as { startedAt: number; files: string[] };
    expect(inputs.files).toContain(ENTRY);
    expect(inputs.files).toContain(path.resolve("app/domain/log-formats/jsonl.ts"));
    expect(inputs.files).toContain(path.resolve("package-lock.json"));
    // The worker loads no validation library (70 ms of its start): the schemas live apart from the parsers.
    expect(inputs.files.filter((f) => f.includes(`${path.sep}zod${path.sep}`))).toEqual([]);
  });

  it("is stale when a source is newer than its build, gone, from another checkout, or the record of its sources is unreadable", () => {
    const dir = tmp();
    const src = path.join(dir, "source.ts");
    fs.writeFileSync(src, "export {}");
    const t = Date.now();
    fs.utimesSync(src, new Date(t - 60_000), new Date(t - 60_000));
    expect(isFresh(fakeBundle(t, [src]))).toBe(true);
    fs.utimesSync(src, new Date(t + 1_000), new Date(t + 1_000)); // saved after the build started
    expect(isFresh(fakeBundle(t, [src]))).toBe(false);
    expect(isFresh(fakeBundle(t, [path.join(dir, "gone.ts")]))).toBe(false);
    expect(isFresh(fakeBundle(t, []))).toBe(false);
    expect(isFresh(fakeBundle(t, [src], "/elsewhere/app/log-parse.worker.ts"))).toBe(false); // a checkout sharing node_modules
    const broken = fakeBundle(t, [src]);
    fs.writeFileSync(broken.inputs, "{not json");
    expect(isFresh(broken)).toBe(false);
    const noFile = fakeBundle(t, [src]);
    fs.rmSync(noFile.file);
    expect(isFresh(noFile)).toBe(false);
  });

  it("is rebuilt when stale and reused when fresh", async () => {
    const b = bundlePaths(tmp());
    expect(await workerBundle(b)).toBe(b.file);
    const built = fs.statSync(b.file).mtimeMs;
    expect(await workerBundle(b)).toBe(b.file);
    expect(fs.statSync(b.file).mtimeMs).toBe(built); // fresh: not rebuilt
    const inputs = JSON.parse(fs.readFileSync(b.inputs, "utf8")) as { startedAt: number; files: string[] };
    fs.writeFileSync(b.inputs, JSON.stringify({ ...inputs, startedAt: 0 })); // as if every source changed since
    fs.writeFileSync(b.file, "throw new Error('stale bundle');");
    expect(await workerBundle(b)).toBe(b.file);
    expect(fs.readFileSync(b.file, "utf8")).not.toContain("stale bundle");
    expect(isFresh(b)).toBe(true);
  });

  it("parses a file exactly as the sources do through tsx", async () => {
    const dir = tmp();
    const file = path.join(dir, "log.jsonl");
    const lines = Array.from({ length: 3_000 }, (_, i) =>
      i % 500 === 7 ? "{broken" : JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), keyId: i % 3 ? "kw_live_bundle" : "kw_other", srcIp: "198.51.100.7", method: "POST", path: i % 4 ? "/v1/models/atlas-2/messages" : "/v1/other", status: i % 9 ? 200 : 404 }),
    );
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const bundle = await workerBundle(bundlePaths(tmp()));
    expect(bundle).not.toBeNull();
    const fromBundle = await batches(bundle, file);
    const fromSources = await batches(null, file);
    expect(fromBundle).toEqual(fromSources);
    const last = fromBundle[fromBundle.length - 1];
    expect(last.counters).toMatchObject({ lines: 3_000, parsed: 2_994, rejected: 6, matched: 1_996 });
  });
});
