import fs from "node:fs";
import path from "node:path";

// Databases as an older release left them: the migrations folder cut at one journal entry.

export const MIGRATIONS = path.resolve("db/migrations");

type Journal = { entries: { idx: number; tag: string }[] };
const journal = () => JSON.parse(fs.readFileSync(path.join(MIGRATIONS, "meta/_journal.json"), "utf8")) as Journal;

/** Copies the migrations up to journal index `lastIdx` into `dir`, with a journal of those only. */
export function migrationsUpTo(dir: string, lastIdx: number) {
  fs.mkdirSync(path.join(dir, "meta"), { recursive: true });
  const j = journal();
  const entries = j.entries.filter((e) => e.idx <= lastIdx);
  for (const e of entries) fs.copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  fs.writeFileSync(path.join(dir, "meta/_journal.json"), JSON.stringify({ ...j, entries }));
}

/** The journal index of the migration whose tag ends with `suffix` ("_event_refs"). */
export function migrationIdx(suffix: string): number {
  return journal().entries.find((e) => e.tag.endsWith(suffix))!.idx;
}
