import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// The parse worker (app/log-parse.worker.ts and the ~50 modules it imports) as one CommonJS file, built
// with esbuild and kept until one of its sources changes. A worker loading it is ready in about 0.1 s,
// against 0.35-0.4 s through tsx's require hook (one transform-cache lookup per module): the import's
// inserting thread waits that long for its first batch. Without esbuild (a production install without
// dev dependencies) or a writable cache, the worker runs the sources through tsx as before.

/** Built here: gitignored with node_modules, and left alone by `remix build`. */
const DEFAULT_DIR = path.resolve(process.cwd(), "node_modules/.cache/keyward");
const ENTRY = path.resolve(process.cwd(), "app/log-parse.worker.ts");

/** The bundle and, beside it, the sources it was built from (for the freshness check). */
export type WorkerBundle = { file: string; inputs: string };

export const bundlePaths = (dir = DEFAULT_DIR): WorkerBundle => ({ file: path.join(dir, "log-parse.worker.cjs"), inputs: path.join(dir, "log-parse.worker.inputs.json") });

const mtimeOf = (file: string): number | null => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

/** What the bundle was built from: its entry (another checkout may share node_modules), its sources, and when the build started (a source saved since is newer). */
type Inputs = { entry: string; startedAt: number; files: string[] };

/** True when the bundle exists and none of its sources changed (or went away) since its build started. */
export function isFresh(b: WorkerBundle): boolean {
  if (mtimeOf(b.file) === null) return false;
  let inputs: Partial<Inputs>;
  try {
    inputs = JSON.parse(readFileSync(b.inputs, "utf8")) as Partial<Inputs>;
  } catch {
    return false;
  }
  const { startedAt, files } = inputs;
  if (inputs.entry !== ENTRY || typeof startedAt !== "number" || !Array.isArray(files) || files.length === 0) return false;
  for (const f of files) {
    const m = typeof f === "string" ? mtimeOf(f) : null;
    if (m === null || m >= startedAt) return false;
  }
  return true;
}

type Esbuild = { build(o: Record<string, unknown>): Promise<{ metafile?: { inputs: Record<string, unknown> } }> };

/**
 * Builds the bundle (to a temporary name, then renamed: another process may be reading the old one). The
 * record of its sources is renamed last: until then, a reader sees the old record, finds the bundle stale
 * and builds again, rather than taking an old bundle for a new one.
 */
export async function buildWorkerBundle(b: WorkerBundle): Promise<void> {
  const esbuild = createRequire(ENTRY)("esbuild") as Esbuild;
  mkdirSync(path.dirname(b.file), { recursive: true });
  // Unique per build: test workers may share a process (and its pid).
  const tag = `${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const tmp = `${b.file}.${tag}`;
  const startedAt = Date.now();
  const out = await esbuild.build({ entryPoints: [ENTRY], bundle: true, platform: "node", format: "cjs", target: "node20", outfile: tmp, metafile: true, logLevel: "silent", absWorkingDir: process.cwd() });
  // Its sources as esbuild read them, and the lockfile: installing another version of a dependency rewrites it.
  const read = Object.keys(out.metafile?.inputs ?? {}).map((f) => path.resolve(process.cwd(), f));
  const inputs: Inputs = { entry: ENTRY, startedAt, files: [...read, path.resolve(process.cwd(), "package-lock.json")] };
  writeFileSync(`${b.inputs}.${tag}`, JSON.stringify(inputs));
  renameSync(tmp, b.file);
  renameSync(`${b.inputs}.${tag}`, b.inputs);
}

/** Builds under way in this process, by bundle file. */
const pending = new Map<string, Promise<string | null>>();
let warned = false;

/**
 * The bundle's path, built first when missing or stale; null when it cannot be built (the caller then
 * runs the sources through tsx). One build at a time per process.
 */
export function workerBundle(b: WorkerBundle = bundlePaths()): Promise<string | null> {
  if (isFresh(b)) return Promise.resolve(b.file);
  let build = pending.get(b.file);
  if (!build) {
    build = buildWorkerBundle(b)
      .then(() => b.file)
      .catch((error: unknown) => {
        if (!warned) console.warn(`keyward: the log parser runs from its sources (no bundle: ${error instanceof Error ? error.message : String(error)})`);
        warned = true;
        return null;
      })
      .finally(() => pending.delete(b.file));
    pending.set(b.file, build);
  }
  return build;
}
