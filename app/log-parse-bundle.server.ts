import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// The parse worker (app/log-parse.worker.ts and the ~50 modules it imports) as one CommonJS file, built
// with esbuild and kept while its sources are unchanged. A worker loading it hands over its first batch
// after about 0.15 s, against 0.3-0.5 s through tsx's require hook (one transform-cache lookup per
// module); the import's inserting thread waits that long. Without esbuild or a writable cache, the
// worker runs the sources through tsx as before.
//
// Freshness is by content, not by file times (a copy or a checkout may keep old times): a record beside
// the bundles names the current one, its sources, and the sha256 of those sources (with tsconfig.json and
// the build options). Each bundle's name carries its hash, and the record is replaced in one rename, so
// a reader never pairs a new record with an old bundle.

/** Built here: gitignored with node_modules, and left alone by `remix build`. */
const DEFAULT_DIR = path.resolve(process.cwd(), "node_modules/.cache/keyward");
/** The worker's source entry (run from the repository, like the migrations). */
export const WORKER_ENTRY = path.resolve(process.cwd(), "app/log-parse.worker.ts");
const TSCONFIG = path.resolve(process.cwd(), "tsconfig.json"); // the `~/` alias
const OPTIONS = { bundle: true, platform: "node", format: "cjs", target: "node20" } as const;
/** Bundles kept (the newest): an older one may still be starting in another process. */
const KEEP = 5;
/** After a failed build, this process runs the sources for this long before trying again. */
const RETRY_MS = 60_000;

type BuildRecord = { entry: string; hash: string; bundle: string; files: string[] };

const recordPath = (dir: string) => path.join(dir, "log-parse.worker.json");

/** sha256 of the entry, the build options, tsconfig.json and each source's path and content; null when one is unreadable. */
export function sourcesHash(files: readonly string[]): string | null {
  const h = createHash("sha256").update(JSON.stringify({ entry: WORKER_ENTRY, OPTIONS }));
  for (const f of [...files, TSCONFIG]) {
    try {
      h.update(f).update("\0").update(readFileSync(f)).update("\0");
    } catch {
      return null;
    }
  }
  return h.digest("hex");
}

/** The current bundle when its record is readable, names this entry, and its sources still hash alike; else null. */
export function freshBundle(dir = DEFAULT_DIR): string | null {
  let r: Partial<BuildRecord>;
  try {
    r = JSON.parse(readFileSync(recordPath(dir), "utf8")) as Partial<BuildRecord>;
  } catch {
    return null;
  }
  if (r.entry !== WORKER_ENTRY || typeof r.hash !== "string" || typeof r.bundle !== "string" || !Array.isArray(r.files) || r.files.length === 0) return null;
  const file = path.join(dir, path.basename(r.bundle));
  return existsSync(file) && sourcesHash(r.files) === r.hash ? file : null;
}

type Esbuild = { build(o: Record<string, unknown>): Promise<{ metafile?: { inputs: Record<string, { bytes: number }> } }> };

/** Builds the bundle, names it by its sources' hash, records it as current, and returns its path. */
export async function buildWorkerBundle(dir = DEFAULT_DIR): Promise<string> {
  const esbuild = createRequire(WORKER_ENTRY)("esbuild") as Esbuild;
  mkdirSync(dir, { recursive: true });
  const tag = randomUUID().slice(0, 8); // unique per build: test workers may share a process
  const tmp = path.join(dir, `build-${tag}.tmp`);
  try {
    const out = await esbuild.build({ entryPoints: [WORKER_ENTRY], ...OPTIONS, outfile: tmp, metafile: true, logLevel: "silent", absWorkingDir: process.cwd() });
    const inputs = Object.entries(out.metafile?.inputs ?? {}).map(([f, i]) => ({ file: path.resolve(process.cwd(), f), bytes: i.bytes }));
    const hash = sourcesHash(inputs.map((i) => i.file));
    // A source saved while esbuild read them would be hashed with content the bundle does not have.
    if (hash === null || inputs.some((i) => statSync(i.file).size !== i.bytes)) throw new Error("a source changed during the build");
    const bundle = `log-parse.worker.${hash.slice(0, 16)}.cjs`;
    renameSync(tmp, path.join(dir, bundle));
    const record: BuildRecord = { entry: WORKER_ENTRY, hash, bundle, files: inputs.map((i) => i.file) };
    writeFileSync(`${tmp}.json`, JSON.stringify(record));
    renameSync(`${tmp}.json`, recordPath(dir));
    pruneBundles(dir, bundle);
    return path.join(dir, bundle);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Removes all but the KEEP newest bundles (never the current one). */
function pruneBundles(dir: string, current: string) {
  const old = readdirSync(dir)
    .filter((f) => f.startsWith("log-parse.worker.") && f.endsWith(".cjs") && f !== current)
    .map((f) => ({ f, at: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of old.slice(KEEP - 1)) rmSync(path.join(dir, f), { force: true });
}

/** Builds under way, and the last failure, in this process, by directory. */
const pending = new Map<string, Promise<string | null>>();
const failed = new Map<string, { at: number; message: string }>();

/**
 * The bundle's path, built first when missing or stale; null when it cannot be built (the caller then
 * runs the sources through tsx). One build at a time per directory; after a failure, none for a minute,
 * and each distinct failure is told once.
 */
export function workerBundle(dir = DEFAULT_DIR): Promise<string | null> {
  const fresh = freshBundle(dir);
  if (fresh !== null) return Promise.resolve(fresh);
  const last = failed.get(dir);
  if (last && Date.now() - last.at < RETRY_MS) return Promise.resolve(null);
  let build = pending.get(dir);
  if (!build) {
    build = buildWorkerBundle(dir)
      .then((file) => {
        failed.delete(dir);
        return file;
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (failed.get(dir)?.message !== message) console.warn(`keyward: the log parser runs from its sources (no bundle: ${message})`);
        failed.set(dir, { at: Date.now(), message });
        return null;
      })
      .finally(() => pending.delete(dir));
    pending.set(dir, build);
  }
  return build;
}
