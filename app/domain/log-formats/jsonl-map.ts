import { z } from "zod";
import { DOT_PATH, MAPPABLE_FIELDS, MAX_MAP_PATH, type JsonlMap } from "./jsonl";

// Validating `--map canonical=path.in.object` (CLI, and importLogs for every caller): apart from the
// parser, so that the import's parse worker loads no zod.

const FIELD_HINT = `Map a canonical field: ${MAPPABLE_FIELDS.join(", ")}`;

export const JsonlMapSchema = z.partialRecord(
  z.enum(MAPPABLE_FIELDS, { message: FIELD_HINT }),
  z.string().max(MAX_MAP_PATH).regex(DOT_PATH, "Use a dotted path such as req.headers.x-key-id"),
) satisfies z.ZodType<JsonlMap>;

export type MapCheck = { ok: true; map: JsonlMap } | { ok: false; error: string };

/** A map (canonical field → dotted path) validated, or what is wrong with it, field by field. */
export function checkJsonlMap(raw: unknown): MapCheck {
  const res = JsonlMapSchema.safeParse(raw);
  if (res.success) return { ok: true, map: res.data };
  const errors = res.error.issues.map((i) => (i.code === "unrecognized_keys" ? i.keys.map((k) => `--map ${k}: ${FIELD_HINT}`).join("; ") : `--map ${String(i.path[0] ?? "")}: ${i.message}`));
  return { ok: false, error: errors.join("; ") };
}

/** Parses CLI-style `canonical=path.in.object` pairs (`--map ts=meta.time --map path=req.url`). */
export function parseMapArgs(pairs: readonly string[]): MapCheck {
  const raw: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) return { ok: false, error: `--map ${p}: use canonical=path.in.object` };
    raw[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return checkJsonlMap(raw);
}
