// Path shapes for pattern_guessing: which concrete request paths are variants of one another, as when
// someone guesses a model's URL (/v1/models/mythos-preview/messages, /v1/models/mythos-prev/messages,
// /v1/models/mythos/messages) or walks a counter (/v1/models/orion-1/…, orion-2, orion-3). Pure.

import { editDistance } from "./edit-distance";

/** The path without its query string or fragment ("/a/b?x=1" → "/a/b"). */
export function pathOnly(path: string): string {
  let end = path.length;
  const q = path.indexOf("?");
  if (q >= 0) end = q;
  const h = path.indexOf("#");
  if (h >= 0 && h < end) end = h;
  return end === path.length ? path : path.slice(0, end);
}

const VERSION = /^v\d+(?:\.\d+)*(?:(?:alpha|beta|rc|preview)\d*)?$/; // v1, v2.1, v1beta1 (after lower-casing)

/**
 * One path segment normalised: lower-cased, a version token ("v1", "v2.1", "v1beta1") → "v", every run of
 * digits → "n" ("orion-2" → "orion-n", "2024-06-01" → "n-n-n").
 */
export function normalizeSegment(segment: string): string {
  let s = segment.toLowerCase();
  try {
    if (s.includes("%")) s = decodeURIComponent(s);
  } catch {
    // keep the raw segment when it is not valid percent-encoding
  }
  if (VERSION.test(s)) return "v";
  return s.replace(/\d+/g, "n");
}

/** The path's normalised segments (query string dropped, empty segments from "//" or a trailing "/" dropped). */
export function pathShape(path: string): string[] {
  const out: string[] = [];
  for (const seg of pathOnly(path).split("/")) if (seg !== "") out.push(normalizeSegment(seg));
  return out;
}

/** The shape as one string ("/v/models/orion-n/messages"), for display and exact grouping. */
export function shapeKey(path: string): string {
  return "/" + pathShape(path).join("/");
}

/** Minimum shared prefix for the "one name is a prefix of the other" case (mythos / mythos-preview). */
const MIN_PREFIX = 4;

/**
 * Are two normalised segments (same position) variants of one another? Equal; within `maxEdits` edits
 * ("mythos-preview" / "mythos-previw"); or one is a prefix of the other of at least 4 characters
 * ("mythos" / "mythos-prev" / "mythos-preview"), which is how a model family is guessed.
 */
export function similarSegments(a: string, b: string, maxEdits = 2): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= MIN_PREFIX && long.startsWith(short)) return true;
  return editDistance(a, b, maxEdits) <= maxEdits;
}

/**
 * Are two shapes variants of one path shape? Same number of segments, and every position similar.
 * Segments that differ must not both be the fixed parts of an API (a position where one side is exactly
 * "v" or "n" is compared as-is).
 */
export function sameShape(a: readonly string[], b: readonly string[], maxEdits = 2): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === "v" || y === "v" || x === "n" || y === "n") return false;
    if (!similarSegments(x, y, maxEdits)) return false;
  }
  return true;
}
