import { reject, type LineParser, type ParseResult } from "./log-event";
import { isObject, parseJsonObject } from "./log-json";
import { isApigwObject, parseApigwLine } from "./log-formats/apigw";
import { isCloudflareObject, parseCloudflareLine } from "./log-formats/cloudflare";
import { isEnvoyJsonObject, isEnvoyTextShape, parseEnvoyLine } from "./log-formats/envoy";
import { createJsonlParser, type JsonlMap } from "./log-formats/jsonl";
import { createKongParser, isKongObject } from "./log-formats/kong";
import { isLitellmObject, parseLitellmLine } from "./log-formats/litellm";
import { isNginxShape, parseNginxLine } from "./log-formats/nginx";

// Entry point of the log parsers (pure, per line): pick a format, or detect it from the first lines.
// The import (CLI, upload, push API) splits the input into lines, calls the parser on each, counts
// `ok: false` results with their reason and line number, and reports `secretsStripped` field names.

export type { CanonicalEvent, LineParser, ParseResult } from "./log-event";

export const FORMATS = ["jsonl", "nginx", "apigw", "kong", "envoy", "litellm", "cloudflare"] as const;
export type LogFormat = (typeof FORMATS)[number];

export type ParserOptions = {
  /** jsonl only: canonical field → dotted path in the object (`--map`). */
  map?: JsonlMap;
  /** kong only: which identity is the key reference (default "consumer": consumer.username first). */
  kongKeyRef?: "consumer" | "credential";
};

/**
 * The container runtime's CRI prefix ("2025-12-31T17:37:40.493035218+01:00 stdout F <line>"), stripped for
 * every format (Kubernetes writes any container's stdout this way). A "P" (partial) line is a fragment of a
 * longer line split by the runtime: refused.
 */
function stripContainerPrefix(line: string): string | ParseResult {
  if (line.length < 30 || line.charCodeAt(4) !== 45 || line.charCodeAt(7) !== 45 || line.charCodeAt(10) !== 84) return line;
  const sp = line.indexOf(" ");
  if (sp < 19 || sp > 40) return line;
  const stream = line.startsWith("stdout ", sp + 1) || line.startsWith("stderr ", sp + 1);
  if (!stream) return line;
  const tag = line.charCodeAt(sp + 8);
  if (line.charCodeAt(sp + 9) !== 32) return line;
  if (tag === 80 /* P */) return reject("partial container log line (P): the runtime split a long line");
  return tag === 70 /* F */ ? line.slice(sp + 10) : line;
}

/** A line parser for `format`. Throws on invalid options (validate `--map` with parseMapArgs first). */
export function parserFor(format: LogFormat, options: ParserOptions = {}): LineParser {
  const inner = innerParser(format, options);
  return function parseLine(line: string): ParseResult {
    // Tolerate CRLF files and a byte-order mark on the first line.
    let l = line;
    const last = l.length - 1;
    if (last >= 0 && l.charCodeAt(last) === 13) l = l.slice(0, last);
    if (l.charCodeAt(0) === 0xfeff) l = l.slice(1);
    if (l.length === 0) return reject("empty line");
    const s = stripContainerPrefix(l);
    return typeof s === "string" ? inner(s) : s;
  };
}

function innerParser(format: LogFormat, options: ParserOptions): LineParser {
  switch (format) {
    case "jsonl":
      return createJsonlParser(options.map ?? {});
    case "nginx":
      return parseNginxLine;
    case "apigw":
      return parseApigwLine;
    case "kong":
      return createKongParser({ kongKeyRef: options.kongKeyRef });
    case "envoy":
      return parseEnvoyLine;
    case "litellm":
      return parseLitellmLine;
    case "cloudflare":
      return parseCloudflareLine;
  }
}

/** A detected format with why, or null with the reason (one sentence, no final period, for a message). */
export type Detection = { format: LogFormat; explanation: string } | { format: null; reason: string };

/** The lines format detection looks at (the import passes the first non-empty lines). */
export const DETECT_LINES = 20;

function isBinary(line: string): boolean {
  let bad = 0;
  const n = Math.min(line.length, 512);
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) bad++;
  }
  return bad > 0 && bad * 20 >= n; // ≥ 5% control or replacement characters
}

function isAlb(line: string): boolean {
  // "https 2023-04-26T12:23:00.186641Z app/my-lb/50dc6c… 1.2.3.4:2817 …"
  const sp = line.indexOf(" ");
  const type = line.slice(0, sp);
  return (type === "http" || type === "https" || type === "h2" || type === "grpcs" || type === "ws" || type === "wss") && line.charCodeAt(sp + 5) === 45 && line.indexOf(" app/", sp) > 0;
}

function classifyJson(o: Record<string, unknown>, line: string, jsonl: LineParser): LogFormat | null {
  if (isCloudflareObject(o)) return "cloudflare";
  if (isKongObject(o)) return "kong";
  if (isLitellmObject(o)) return "litellm";
  if (isApigwObject(o)) return "apigw";
  if (isEnvoyJsonObject(o)) return "envoy";
  return jsonl(line).ok ? "jsonl" : null;
}

/**
 * Detects the format from the first lines (1–20 non-empty ones; more are ignored). Each line is classified
 * by its shape (a malformed request inside a well-formed nginx line still counts as nginx); the format that
 * the most lines share wins, if at least half of the lines have it. Refuses with an explanation otherwise:
 * no lines, binary data, an AWS ALB log, an nginx error log, JSON that names none of the known fields.
 */
export function detectFormat(firstLines: readonly string[]): Detection {
  const jsonl = parserFor("jsonl");
  const votes = new Map<LogFormat, number>();
  let seen = 0;
  let binary = 0;
  let alb = 0;
  let errorLog = 0;
  let jsonUnknown = 0;
  for (const raw of firstLines) {
    if (seen >= DETECT_LINES) break;
    let line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === "") continue;
    seen++;
    if (isBinary(line)) {
      binary++;
      continue;
    }
    const s = stripContainerPrefix(line);
    if (typeof s !== "string") continue;
    let format: LogFormat | null = null;
    if (s.charCodeAt(0) === 123) {
      const o = parseJsonObject(s);
      if (isObject(o)) {
        format = classifyJson(o, s, jsonl);
        if (format === null) jsonUnknown++;
      }
    } else if (isEnvoyTextShape(s)) format = "envoy";
    else if (isNginxShape(s)) format = "nginx";
    else if (isAlb(s)) alb++;
    else if (/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[/.test(s)) errorLog++;
    if (format !== null) votes.set(format, (votes.get(format) ?? 0) + 1);
  }
  if (seen === 0) return { format: null, reason: "the file is empty: no lines to read" };
  let best: LogFormat | null = null;
  let bestVotes = 0;
  for (const [f, v] of votes) {
    if (v > bestVotes) {
      best = f;
      bestVotes = v;
    }
  }
  if (best !== null && bestVotes * 2 >= seen) {
    return { format: best, explanation: `${bestVotes} of the first ${seen} lines look like ${best}` };
  }
  if (binary * 2 >= seen) return { format: null, reason: "this looks like binary data, not a text log: not a supported format" };
  if (alb > 0) return { format: null, reason: "this looks like an AWS ALB access log, which is not a supported format (convert it to jsonl)" };
  if (errorLog > 0) return { format: null, reason: "this looks like an nginx error log: import the access log instead" };
  if (jsonUnknown > 0) {
    return { format: null, reason: "JSON lines, but without the known fields (timestamp, method, path, status): use --format jsonl with --map canonical=path.in.object" };
  }
  return { format: null, reason: `not a supported format: none of ${FORMATS.join(", ")} matches the first ${seen} lines` };
}
