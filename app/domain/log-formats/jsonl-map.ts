import { z } from "zod";
import { DOT_PATH, MAPPABLE_FIELDS, MAX_MAP_PATH, type JsonlMap } from "./jsonl";

// Validating `--map canonical=path.in.object` (CLI, and importLogs for every caller): apart from the
// parser, so that the import's parse worker loads no zod.

export const JsonlMapSchema = z.partialRecord(
  z.enum(MAPPABLE_FIELDS, { message: `Map a canonical field: ${MAPPABLE_FIELDS.join(", ")}` }),
  z.string().max(MAX_MAP_PATH).regex(DOT_PATH, "Use a dotted path such as req.headers.x-key-id"),
) satisfies z.ZodType<JsonlMap>;

/** Parses CLI-style `canonical=path.in.object` pairs (`--map ts=meta.time --map path=req.url`). */
export function parseMapArgs(pairs: readonly string[]): { ok: true; map: JsonlMap } | { ok: false; error: string } {
  const raw: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) return { ok: false, error: `--map ${p}: use canonical=path.in.object` };
    raw[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  const res = JsonlMapSchema.safeParse(raw);
  return res.success ? { ok: true, map: res.data } : { ok: false, error: res.error.issues.map((i) => `--map ${String(i.path[0] ?? "")}: ${i.message}`).join("; ") };
}
