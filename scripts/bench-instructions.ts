// Detection's cost (issue 7) counted in instructions instead of seconds: one import of the benchmark's
// traffic without detection and one with it, each a whole process run under valgrind's cachegrind
// (the parse worker, the inserting thread, SQLite and the garbage collector, all counted). Under
// `node --predictable` a count repeats to about 0.2%, where a wall-clock round here varies by ±30%.
// So a change can be compared in one pair of runs. Needs valgrind (Debian: `apt-get install valgrind`);
// 100,000 lines take about 2.5 min per run.
//   npx tsx scripts/bench-instructions.ts [--lines 100000] [--file F] [--only with|without]
// Prints instructions, L1 data misses and last-level misses per run, and detection's share of each.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { seedBenchDatabase } from "./bench-database";

const { values } = parseArgs({ options: { lines: { type: "string", default: "100000" }, file: { type: "string" }, only: { type: "string" }, "import-once": { type: "string" }, template: { type: "string" }, detect: { type: "boolean", default: false }, seed: { type: "boolean", default: false } } });

type Counts = { instructions: number; l1DataMisses: number; lastLevelMisses: number };

/** The child's job under valgrind: the file imported into a copy of the template database. */
async function importOnce(file: string, template: string, detect: boolean) {
  copyFileSync(template, process.env.KEYWARD_DB!);
  const { importLogs } = await import("../app/models/log-import.server");
  const { createImportDetector } = await import("../app/models/detection.server");
  const created = detect ? createImportDetector() : null;
  const hooks = created ? { onBatch: created.onBatch, onComplete: created.onComplete, stageDetection: created.stageDetection } : {};
  const s = await importLogs({ source: "bench", format: "jsonl", via: "cli", filePath: file, ctx: { actor: null, ip: null }, sizeBytes: statSync(file).size, ...hooks });
  console.log(JSON.stringify({ parsed: s.parsed, matched: s.matched, flagsRaised: s.flagsRaised }));
}

/** A number from cachegrind's summary ("==1== I   refs:      13,067,220,154"). */
function summaryNumber(out: string, label: RegExp): number {
  const m = out.match(new RegExp(`${label.source}\\s*([\\d,]+)`));
  if (!m) throw new Error(`cachegrind printed no ${label.source}:\n${out.slice(-2000)}`);
  return Number(m[1].replace(/,/g, ""));
}

function run(script: string, args: string[], env: Record<string, string>, valgrind: boolean) {
  const cmd = valgrind ? "valgrind" : process.execPath;
  const argv = valgrind ? ["--tool=cachegrind", "--cache-sim=yes", "--cachegrind-out-file=/dev/null", process.execPath, "--predictable", script, ...args] : [...process.execArgv, script, ...args];
  const r = spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit code ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function main() {
  if (values.seed) {
    await seedBenchDatabase();
    // Closed, so that everything is in the file itself (not in its write-ahead log) when it is copied.
    return (await import("../db/client")).closeDb();
  }
  if (values["import-once"]) return importOnce(values["import-once"], values.template!, values.detect);

  if (values.only !== undefined && values.only !== "with" && values.only !== "without") throw new Error(`--only takes "with" or "without", not "${values.only}"`);
  if (spawnSync("valgrind", ["--version"]).status !== 0) throw new Error("valgrind is not installed (Debian: apt-get install valgrind)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "keyward-instructions-"));
  try {
    const file = values.file ?? path.join(dir, "traffic.jsonl");
    if (!values.file) run(path.join(path.dirname(process.argv[1]), "bench-import.ts"), ["--generate-only", file, "--lines", values.lines], {}, false);
    const template = path.join(dir, "template.db");
    run(process.argv[1], ["--seed"], { KEYWARD_DB: template, KEYWARD_DATA: path.join(dir, "data") }, false);
    // Built outside the counted runs (the import in each only checks that it is fresh).
    await (await import("../app/log-parse-bundle.server")).workerBundle();
    // One file for the counted child: loading the sources through tsx would be counted too, and differ by
    // cache state. Beside the worker's bundle, where its external packages resolve.
    const bundle = path.resolve("node_modules/.cache/keyward/bench-instructions.mjs");
    const { build } = await import("esbuild");
    await build({ entryPoints: [process.argv[1]], bundle: true, platform: "node", format: "esm", outfile: bundle, external: ["better-sqlite3", "@node-rs/*", "esbuild"], banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }, logLevel: "silent" });
    const out: Record<string, Counts & { flagsRaised: number }> = {};
    for (const detect of [false, true]) {
      const name = detect ? "with" : "without";
      if (values.only && values.only !== name) continue;
      const db = path.join(dir, `${name}.db`);
      const r = run(bundle, ["--import-once", file, "--template", template, ...(detect ? ["--detect"] : [])], { KEYWARD_DB: db, KEYWARD_DATA: path.join(dir, "data") }, true);
      out[name] = { instructions: summaryNumber(r.stderr, /I {3}refs:/), l1DataMisses: summaryNumber(r.stderr, /D1 {2}misses:/), lastLevelMisses: summaryNumber(r.stderr, /LLd misses:/), flagsRaised: JSON.parse(r.stdout.trim().split("\n").pop()!).flagsRaised };
    }
    const share = (k: keyof Counts) => {
      if (!out.with || !out.without) return undefined;
      const p = (100 * (out.with[k] - out.without[k])) / out.without[k];
      return `${p >= 0 ? "+" : ""}${p.toFixed(1)}%`;
    };
    console.log(JSON.stringify({ lines: Number(values.lines), file: values.file ?? null, ...out, detection: { instructions: share("instructions"), l1DataMisses: share("l1DataMisses"), lastLevelMisses: share("lastLevelMisses") } }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
