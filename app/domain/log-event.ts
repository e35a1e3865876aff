import type { CanonicalEvent } from "./log-event-schema";
import { isIpv4, isIpv6 } from "./log-ip";
import { addSecret, looksLikeSecretKey, redactSecretText, scanQueryForSecrets } from "./log-secrets";

// The canonical gateway-log event (DESIGN "Gateway logs"): what every format parser yields, one per line.
//
// Decisions:
// - `ts` is epoch milliseconds (an integer), not a Date: no allocation per line, trivially comparable and
//   storable. Sub-millisecond precision in the source is floored.
// - Every field is always present (fixed object shape = one hidden class = fast); a field the line does not
//   carry is `null`, never `undefined`. The design's optional fields (asn?, model?, …) are the nullable ones.
//   `requestId`, `keyRef` and `srcIp` are nullable too: plain `combined` has no request id or key, Envoy's
//   default text format has no peer address, LiteLLM often logs no IP.
// - `userAgent`: `null` = the format does not log it (LiteLLM); `""` = the client sent none (nginx "-").
//   The scanner_user_agent rule must only fire on "", never on null.
// - `path` never holds the query string (it may carry secrets; it is scanned, reported and dropped) and is
//   kept as logged: not percent-decoded. Control characters are escaped as \xNN (as nginx does) instead of
//   rejecting the line, so no probe is lost. Path is cut at 2048 characters, the user agent at 512.
// - `keyRefKind` is "fingerprint" for gateways that log a hash of the key (LiteLLM: lowercase hex SHA-256),
//   "keyId" otherwise; both key fields are null together.
//
// CanonicalEventSchema (./log-event-schema) is the contract (tests, fuzzing, the push API). The parsers' hot
// path does not run zod per line: `finishEvent` checks and normalises the same constraints by hand (tests
// prove that everything it accepts passes the schema), and the parse worker loads no zod at all.

export const MAX_PATH = 2048;
export const MAX_USER_AGENT = 512;
export const MAX_ID = 256;
export const MAX_GATEWAY_ERROR = 64;
/** Lines longer than this are refused by every parser (a 1 MB line is not an access-log line). */
export const MAX_LINE = 65_536;
/** 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z: anything outside is a mis-parsed timestamp. */
export const MIN_TS = 946_684_800_000;
export const MAX_TS = 4_102_444_800_000;

export const KEY_REF_KINDS = ["keyId", "fingerprint"] as const;
export type KeyRefKind = (typeof KEY_REF_KINDS)[number];

export type { CanonicalEvent };

export type ParseResult = { ok: true; event: CanonicalEvent; secretsStripped: readonly string[] } | { ok: false; reason: string };
export type LineParser = (line: string) => ParseResult;

const NO_SECRETS: readonly string[] = Object.freeze([]);

export function reject(reason: string): ParseResult {
  return { ok: false, reason };
}

/** An event with every field null but the required ones: parsers fill it in, always in this field order. */
export function blankEvent(): CanonicalEvent {
  return {
    ts: 0,
    requestId: null,
    keyRef: null,
    keyRefKind: null,
    srcIp: null,
    asn: null,
    country: null,
    userAgent: null,
    method: "",
    path: "",
    model: null,
    status: 0,
    gatewayError: null,
    bytes: null,
    latencyMs: null,
    tokensIn: null,
    tokensOut: null,
  };
}

/** Index of the first control character (U+0000–U+001F, U+007F) at or after `from`, or -1. */
function firstControl(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127) return i;
  }
  return -1;
}

function escapeControls(s: string, from: number): string {
  let out = s.slice(0, from);
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c < 32 || c === 127 ? `\\x${c.toString(16).toUpperCase().padStart(2, "0")}` : s[i];
  }
  return out;
}

/** Escapes control characters (rare: only when one is found) and cuts the string to `max`. */
function clean(s: string, max: number): string {
  const bad = firstControl(s, 0);
  if (bad >= 0) s = escapeControls(s, bad);
  return s.length > max ? s.slice(0, max) : s;
}

function isMethod(m: string): boolean {
  const n = m.length;
  if (n === 0 || n > 32) return false;
  const c0 = m.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < n; i++) {
    const c = m.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}

function isCount(n: number | null): boolean {
  return n === null || (Number.isSafeInteger(n) && n >= 0);
}

function isHex64(s: string): boolean {
  if (s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Validates and normalises a filled-in event (the hand-written twin of CanonicalEventSchema): cuts the query
 * string off the path (scanning it for secrets), escapes control characters, truncates path and user agent,
 * drops a key reference that is a secret, and checks every constraint. `suspicious` (the line matched
 * SECRET_HINT) makes it also redact bearer tokens and API keys found in the stored text fields.
 */
export function finishEvent(e: CanonicalEvent, secrets: string[] | null, suspicious: boolean): ParseResult {
  // Path: split off the query, scan it, keep the path as logged.
  let path = e.path;
  const q = path.indexOf("?");
  if (q >= 0) {
    if (q + 1 < path.length) secrets = scanQueryForSecrets(path, q + 1, "query", secrets);
    path = path.slice(0, q);
  }
  if (path.length === 0) return reject("no path");
  e.path = clean(path, MAX_PATH);

  if (e.userAgent !== null) {
    if (suspicious) {
      const r = redactSecretText(e.userAgent);
      if (r !== e.userAgent) {
        secrets = addSecret(secrets, "userAgent");
        e.userAgent = r;
      }
    }
    e.userAgent = clean(e.userAgent, MAX_USER_AGENT);
  }

  if (!isMethod(e.method)) {
    const up = e.method.toUpperCase();
    if (!isMethod(up)) return reject("method is not an HTTP method");
    e.method = up;
  }

  const ts = e.ts;
  if (!(ts >= MIN_TS && ts <= MAX_TS)) return reject(Number.isFinite(ts) ? "timestamp out of range (2000–2100)" : "no valid timestamp");
  e.ts = Math.floor(ts);

  const st = e.status;
  if (!(Number.isInteger(st) && (st === 0 || (st >= 100 && st <= 599)))) return reject("status is not an HTTP status");

  if (e.keyRef !== null) {
    const k = e.keyRef;
    if (k.length === 0) {
      e.keyRef = null;
      e.keyRefKind = null;
    } else if (looksLikeSecretKey(k)) {
      secrets = addSecret(secrets, "keyRef");
      e.keyRef = null;
      e.keyRefKind = null;
    } else if (e.keyRefKind === "fingerprint") {
      const lower = isHex64(k) ? k : k.toLowerCase();
      if (!isHex64(lower)) return reject("hashed key is not a hex SHA-256");
      e.keyRef = lower;
    } else {
      if (k.length > MAX_ID) return reject("key reference longer than 256 characters");
      if (firstControl(k, 0) >= 0) return reject("key reference has control characters");
      e.keyRefKind = "keyId";
    }
  } else e.keyRefKind = null;

  if (e.requestId !== null) {
    const id = e.requestId;
    if (id.length === 0) e.requestId = null;
    else {
      if (id.length > MAX_ID) return reject("request id longer than 256 characters");
      if (firstControl(id, 0) >= 0) return reject("request id has control characters");
      if (suspicious && redactSecretText(id) !== id) {
        secrets = addSecret(secrets, "requestId");
        e.requestId = null;
      }
    }
  }

  if (e.model !== null) {
    const m = e.model;
    if (m.length === 0) e.model = null;
    else {
      if (m.length > MAX_ID) return reject("model name longer than 256 characters");
      if (firstControl(m, 0) >= 0) return reject("model name has control characters");
    }
  }

  if (e.gatewayError !== null) {
    const g = e.gatewayError;
    e.gatewayError = g.length === 0 ? null : clean(g, MAX_GATEWAY_ERROR);
  }

  if (e.srcIp !== null && !(isIpv4(e.srcIp) || isIpv6(e.srcIp))) return reject("client address is not an IP address");
  if (e.asn !== null && !(Number.isInteger(e.asn) && e.asn >= 0 && e.asn <= 4_294_967_295)) e.asn = null;
  if (e.country !== null && !isCountry(e.country)) e.country = null;
  if (!isCount(e.bytes)) e.bytes = null;
  if (e.latencyMs !== null) e.latencyMs = e.latencyMs >= 0 && e.latencyMs < 9e15 ? Math.round(e.latencyMs) : null;
  if (!isCount(e.tokensIn)) e.tokensIn = null;
  if (!isCount(e.tokensOut)) e.tokensOut = null;

  return { ok: true, event: e, secretsStripped: secrets ?? NO_SECRETS };
}

function isCountry(c: string): boolean {
  if (c.length !== 2) return false;
  const a = c.charCodeAt(0);
  const b = c.charCodeAt(1);
  return a >= 65 && a <= 90 && ((b >= 65 && b <= 90) || (b >= 48 && b <= 57));
}
