// Reading one JSON log line: parse with guards, then coerce loosely typed fields (gateways log numbers as
// strings, "-" for absent, null for unknown) into what the canonical event needs.

/** Parses a line that must be a JSON object. Returns the object, or a short reason string. V8's JSON.parse
 * is iterative (10k-deep nesting does not overflow the stack), but RangeError is still caught. */
export function parseJsonObject(line: string, start = 0): Record<string, unknown> | string {
  // Skip leading blanks, check the first character before paying for JSON.parse.
  let i = start;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (line.charCodeAt(i) !== 123 /* { */) return "not a JSON object";
  let value: unknown;
  try {
    value = JSON.parse(i === 0 ? line : line.slice(i));
  } catch (err) {
    return err instanceof RangeError ? "JSON nested too deeply" : "invalid JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  return value as Record<string, unknown>;
}

/** The value at a dotted path ("a.b.c"), pre-split. */
export function getPath(o: unknown, path: readonly string[]): unknown {
  let v = o;
  for (let i = 0; i < path.length; i++) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[path[i]];
  }
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A string field: strings as they are, numbers as text; "-", "" and anything else → null. */
export function str(v: unknown): string | null {
  if (typeof v === "string") return v.length === 0 || (v.length === 1 && v === "-") ? null : v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** A number field: numbers, or numeric text ("200", "0.123"); anything else → null. */
export function num(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.length > 0 && v.length <= 24) {
    const c = v.charCodeAt(0);
    if ((c < 48 || c > 57) && c !== 45 && c !== 46) return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A non-negative integer count (bytes, tokens): null when absent, negative or not a number. */
export function count(v: unknown): number | null {
  const n = num(v);
  return n !== null && n >= 0 && Number.isSafeInteger(Math.floor(n)) ? Math.floor(n) : null;
}

/** An HTTP status: NaN when absent or not a number (the caller rejects the line). */
export function status(v: unknown): number {
  const n = num(v);
  return n === null ? NaN : n;
}
