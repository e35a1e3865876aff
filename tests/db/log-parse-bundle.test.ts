import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildWorkerBundle, freshBundle, sourcesHash, workerBundle } from "../../app/log-parse-bundle.server";
import { parseFileInWorker } from "../../app/log-parse-thread.server";
import { importLogs } from "../../app/models/log-import.server";
import type { StageMessage, StageSetup } from "../../app/log-parse-stage.server";

// The parse worker runs from a bundle built with esbuild (its first batch comes in a third of the time
// tsx needs for the sources), rebuilt whenever a source's content changes, and from its sources through
// tsx when there is no bundle. Both must parse alike.

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bundle-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const ENTRY = path.resolve("app/log-parse.worker.ts");
const record = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "log-parse.worker.json"), "utf8")) as { entry: string; hash: string; bundle: string; files: string[] };
const writeRecord = (dir: string, r: object) => fs.writeFileSync(path.join(dir, "log-parse.worker.json"), JSON.stringify(r));

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
  const thread = parseFileInWorker(file, setup, undefined, bundle);
  for await (const m of thread) if (m.type === "batch") out.push(m);
  await thread.stop();
  return out.map((m) => ({ counters: m.counters, samples: m.samples, n: m.batch.n, strings: m.batch.strings, ts: [...m.batch.ts], credentialRef: [...m.batch.credentialRef], path: [...m.batch.path], endOffset: m.endOffset }));
}

describe("the parse worker's bundle", () => {
  it("is built from the worker's sources, without zod, and recorded as current", async () => {
    const dir = tmp();
    expect(freshBundle(dir)).toBeNull();
    const file = await buildWorkerBundle(dir);
    expect(freshBundle(dir)).toBe(file);
    const r = record(dir);
    expect(path.join(dir, r.bundle)).toBe(file);
    expect(r.bundle).toContain(r.hash.slice(0, 16)); // named by its sources' hash
    expect(r.entry).toBe(ENTRY);
    expect(r.files).toContain(ENTRY);
    expect(r.files).toContain(path.resolve("app/domain/log-formats/jsonl.ts"));
    // The worker loads no validation library (70 ms of its start): the schemas live apart from the parsers.
    expect(r.files.filter((f) => f.includes(`${path.sep}zod${path.sep}`))).toEqual([]);
  });

  it("is stale when a source's content changes, whatever its file time, or when the record is not this checkout's or unreadable", async () => {
    const dir = tmp();
    const src = path.join(dir, "source.ts");
    fs.writeFileSync(src, "export const a = 1;");
    fs.writeFileSync(path.join(dir, "log-parse.worker.x.cjs"), "// bundle");
    const r = { entry: ENTRY, hash: sourcesHash([src]), bundle: "log-parse.worker.x.cjs", files: [src] };
    writeRecord(dir, r);
    expect(freshBundle(dir)).toBe(path.join(dir, "log-parse.worker.x.cjs"));
    const { mtime } = fs.statSync(src);
    fs.writeFileSync(src, "export const a = 2;"); // same size, and the old file time restored (as a copy keeping times would)
    fs.utimesSync(src, mtime, mtime);
    expect(freshBundle(dir)).toBeNull();
    fs.writeFileSync(src, "export const a = 1;");
    expect(freshBundle(dir)).not.toBeNull();
    writeRecord(dir, { ...r, entry: "/elsewhere/app/log-parse.worker.ts" }); // a checkout sharing node_modules
    expect(freshBundle(dir)).toBeNull();
    writeRecord(dir, { ...r, files: [path.join(dir, "gone.ts")] });
    expect(freshBundle(dir)).toBeNull();
    writeRecord(dir, { ...r, files: [] });
    expect(freshBundle(dir)).toBeNull();
    writeRecord(dir, { ...r, bundle: "log-parse.worker.missing.cjs" });
    expect(freshBundle(dir)).toBeNull();
    fs.writeFileSync(path.join(dir, "log-parse.worker.json"), "{not json");
    expect(freshBundle(dir)).toBeNull();
  });

  it("is reused while fresh, rebuilt when stale, once for concurrent callers", async () => {
    const dir = tmp();
    const [a, b] = await Promise.all([workerBundle(dir), workerBundle(dir)]);
    expect(a).not.toBeNull();
    expect(b).toBe(a);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".cjs"))).toHaveLength(1);
    const built = fs.statSync(a!).mtimeMs;
    expect(await workerBundle(dir)).toBe(a);
    expect(fs.statSync(a!).mtimeMs).toBe(built); // fresh: not rebuilt
    writeRecord(dir, { ...record(dir), hash: "0".repeat(64) }); // as if a source changed since
    fs.writeFileSync(a!, "throw new Error('stale bundle');");
    const again = await workerBundle(dir);
    expect(again).toBe(a); // the same sources: the same name
    expect(fs.readFileSync(again!, "utf8")).not.toContain("stale bundle");
    expect(freshBundle(dir)).toBe(again);
  });

  it("is null, told once, when it cannot be built, and the import then parses from the sources", async () => {
    const blocker = path.join(tmp(), "a-file");
    fs.writeFileSync(blocker, "");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(await workerBundle(path.join(blocker, "cache"))).toBeNull(); // a directory under a file cannot be made
      expect(await workerBundle(path.join(blocker, "cache"))).toBeNull(); // not retried at once, not told twice
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/runs from its sources/);
    } finally {
      warn.mockRestore();
    }
  });

  it("is built (or found fresh) by an import that parses in a worker", async () => {
    const file = path.join(tmp(), "small.jsonl");
    fs.writeFileSync(file, `${JSON.stringify({ ts: "2026-11-20T10:00:00Z", keyId: "kw_x", method: "GET", path: "/v1/models", status: 200 })}\n`);
    fs.rmSync(path.resolve("node_modules/.cache/keyward/log-parse.worker.json"), { force: true });
    expect(freshBundle()).toBeNull();
    const summary = await importLogs({ source: "bundle-test", format: "jsonl", via: "cli", filePath: file, parseIn: "worker", ctx: { actor: null, ip: null } });
    expect(summary.parsed).toBe(1);
    expect(freshBundle()).not.toBeNull();
  });

  it("parses a file exactly as the sources do through tsx", async () => {
    const file = path.join(tmp(), "log.jsonl");
    const lines = Array.from({ length: 3_000 }, (_, i) =>
      i % 500 === 7 ? "{broken" : JSON.stringify({ ts: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), keyId: i % 3 ? "kw_live_bundle" : "kw_other", srcIp: "198.51.100.7", method: i % 7 ? "POST" : "GET", path: i % 4 ? "/v1/models/atlas-2/messages" : `/v1/other/${i % 5}`, status: i % 9 ? 200 : 404 }),
    );
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const bundle = await workerBundle(tmp());
    expect(bundle).not.toBeNull();
    const fromBundle = await batches(bundle, file);
    const fromSources = await batches(null, file);
    expect(fromBundle).toEqual(fromSources);
    expect(fromBundle[fromBundle.length - 1].counters).toMatchObject({ lines: 3_000, parsed: 2_994, rejected: 6, matched: 1_996 });
  });
});
