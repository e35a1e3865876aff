import { blankEvent, finishEvent, MAX_LINE, reject, type CanonicalEvent, type ParseResult } from "../log-event";
import { clientAddress, normalizeIp } from "../log-ip";
import { count, getPath, num, parseJsonObject, str } from "../log-json";
import { scanObjectForSecrets, SECRET_HINT } from "../log-secrets";
import { parseTimeValue } from "../log-time";
import { splitRequestLine } from "./access-line";

// Keyward's canonical JSON lines: one object per line with the canonical event's names (so canonical events
// round-trip through the push API), plus common aliases and nginx's variable names (log_format … escape=json):
//
//   ts          ts, timestamp, time, @timestamp, time_iso8601, time_local (CLF), msec (s.ms), start_time
//               — ISO text, CLF text, or epoch seconds / ms / µs / ns (told apart by magnitude)
//   requestId   requestId, request_id, x_request_id, http_x_request_id
//   keyRef      keyId, key_id, apiKeyId, api_key_id, credential, http_x_key_id, keyRef (+ keyRefKind);
//               keyFingerprint / key_fingerprint / fingerprint → keyRefKind "fingerprint"
//   srcIp       srcIp, src_ip, ip, clientIp, client_ip, remote_addr, sourceIp, source_ip
//               (with http_x_forwarded_for / x_forwarded_for: see clientAddress in log-ip)
//   userAgent   userAgent, user_agent, http_user_agent, ua
//   method      method, request_method, httpMethod, http_method   (or split from `request`)
//   path        path, request_uri, uri, url (absolute URLs lose scheme and host)   (or split from `request`,
//               nginx's "$request" = "GET /x HTTP/1.1")
//   status      status, statusCode, status_code, response_code
//   bytes       bytes, body_bytes_sent, bytes_sent, response_size, responseLength
//   latencyMs   latencyMs, latency_ms, duration_ms, latency; request_time (seconds → ms)
//   model, gatewayError (gateway_error), asn, country,
//   tokensIn (tokens_in, prompt_tokens, input_tokens), tokensOut (tokens_out, completion_tokens, output_tokens)
//
// The `map` option names a dotted path for any canonical field, for any other JSON
// ({ path: "req.url", keyRef: "auth.key.id" }); a mapped field replaces its aliases (the map is validated
// where it comes in: jsonl-map.ts). Unknown fields are ignored. A field named like a secret (api_key,
// apiKey, authorization, http_authorization, …) is reported.

export const MAPPABLE_FIELDS = [
  "ts",
  "requestId",
  "keyRef",
  "keyId",
  "fingerprint",
  "srcIp",
  "asn",
  "country",
  "userAgent",
  "method",
  "path",
  "model",
  "status",
  "gatewayError",
  "bytes",
  "latencyMs",
  "tokensIn",
  "tokensOut",
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

export const MAX_MAP_PATH = 200;
/** A dotted path into the object: segments without dots or blanks. */
export const DOT_PATH = /^[^.\s]+(?:\.[^.\s]+)*$/;

/** A map (canonical field → dotted path into the object), validated where it comes in: jsonl-map.ts. */
export type JsonlMap = Partial<Record<MappableField, string>>;

type Compiled = Partial<Record<MappableField, readonly string[]>>;

function pick(o: Record<string, unknown>, m: Compiled, field: MappableField): unknown {
  const p = m[field];
  return p === undefined ? undefined : getPath(o, p);
}

function pathFromUrl(url: string): string {
  const scheme = url.indexOf("://");
  if (scheme < 0) return url;
  const slash = url.indexOf("/", scheme + 3);
  return slash < 0 ? "/" : url.slice(slash);
}

export function createJsonlParser(map: JsonlMap = {}): (line: string) => ParseResult {
  // Validated where it came in (checkJsonlMap): checked again here without zod, which the parse worker does not load.
  const m: Compiled = {};
  for (const [k, v] of Object.entries(map)) {
    if (v === undefined) continue;
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(k) || typeof v !== "string" || v.length > MAX_MAP_PATH || !DOT_PATH.test(v)) throw new Error(`Invalid --map ${k}=${String(v)}: validate the map with checkJsonlMap first`);
    m[k as MappableField] = v.split(".");
  }
  const mapped = Object.keys(m).length > 0;

  return function parseJsonlLine(line: string): ParseResult {
    if (line.length > MAX_LINE) return reject("line too long");
    const o = parseJsonObject(line);
    if (typeof o === "string") return reject(o);

    let tsv = mapped && m.ts ? pick(o, m, "ts") : (o.ts ?? o.timestamp ?? o.time ?? o["@timestamp"] ?? o.time_iso8601 ?? o.time_local ?? o.msec ?? o.start_time);
    const ts = parseTimeValue(tsv);
    if (Number.isNaN(ts)) return reject(tsv === undefined || tsv === null ? "no timestamp field (ts, time_iso8601, …)" : "timestamp is not ISO 8601, CLF or epoch");
    tsv = undefined;

    let method = str(mapped && m.method ? pick(o, m, "method") : (o.method ?? o.request_method ?? o.httpMethod ?? o.http_method));
    let pathV = mapped && m.path ? pick(o, m, "path") : (o.path ?? o.request_uri ?? o.uri ?? o.url);
    let path = str(pathV);
    if (path !== null && path.charCodeAt(0) !== 47 && path.indexOf("://") > 0) path = pathFromUrl(path);
    if ((method === null || path === null) && typeof o.request === "string") {
      const req = splitRequestLine(o.request, 0, o.request.length);
      if (typeof req === "string") return reject(req);
      method = method ?? req[0];
      path = path ?? req[1];
    }
    pathV = undefined;
    if (method === null) return reject("no method field (method, request_method, …)");
    if (path === null) return reject("no path field (path, request_uri, uri, …)");

    const status = num(mapped && m.status ? pick(o, m, "status") : (o.status ?? o.statusCode ?? o.status_code ?? o.response_code));
    if (status === null) return reject("no status field (status, status_code, …)");

    const ipV = str(mapped && m.srcIp ? pick(o, m, "srcIp") : (o.srcIp ?? o.src_ip ?? o.ip ?? o.clientIp ?? o.client_ip ?? o.remote_addr ?? o.sourceIp ?? o.source_ip));
    let ip = ipV === null ? null : normalizeIp(ipV);
    if (ip === undefined) return reject("client address is not an IP address");
    const xff = o.http_x_forwarded_for ?? o.x_forwarded_for;
    if (typeof xff === "string") ip = clientAddress(ip, xff);

    const e: CanonicalEvent = blankEvent();
    e.ts = ts;
    e.requestId = str(mapped && m.requestId ? pick(o, m, "requestId") : (o.requestId ?? o.request_id ?? o.x_request_id ?? o.http_x_request_id));
    setKey(e, o, m, mapped);
    e.srcIp = ip;
    e.asn = count(mapped && m.asn ? pick(o, m, "asn") : (o.asn ?? o.client_asn));
    const country = str(mapped && m.country ? pick(o, m, "country") : (o.country ?? o.client_country));
    e.country = country === null ? null : country.toUpperCase();
    const ua = mapped && m.userAgent ? pick(o, m, "userAgent") : (o.userAgent ?? o.user_agent ?? o.http_user_agent ?? o.ua);
    e.userAgent = typeof ua === "string" ? (ua === "-" ? "" : ua) : ua === null ? "" : null;
    e.method = method;
    e.path = path;
    e.model = str(mapped && m.model ? pick(o, m, "model") : o.model);
    e.status = status;
    e.gatewayError = str(mapped && m.gatewayError ? pick(o, m, "gatewayError") : (o.gatewayError ?? o.gateway_error));
    e.bytes = count(mapped && m.bytes ? pick(o, m, "bytes") : (o.bytes ?? o.body_bytes_sent ?? o.bytes_sent ?? o.response_size ?? o.responseLength));
    if (mapped && m.latencyMs) e.latencyMs = count(pick(o, m, "latencyMs"));
    else {
      const ms = o.latencyMs ?? o.latency_ms ?? o.duration_ms ?? o.latency;
      if (ms !== undefined) e.latencyMs = num(ms);
      else if (o.request_time !== undefined) {
        const s = num(o.request_time);
        e.latencyMs = s === null ? null : s * 1000;
      }
    }
    e.tokensIn = count(mapped && m.tokensIn ? pick(o, m, "tokensIn") : (o.tokensIn ?? o.tokens_in ?? o.prompt_tokens ?? o.input_tokens));
    e.tokensOut = count(mapped && m.tokensOut ? pick(o, m, "tokensOut") : (o.tokensOut ?? o.tokens_out ?? o.completion_tokens ?? o.output_tokens));

    const hint = SECRET_HINT.test(line);
    return finishEvent(e, hint ? scanObjectForSecrets(o, null) : null, hint);
  };
}

function setKey(e: CanonicalEvent, o: Record<string, unknown>, m: Compiled, mapped: boolean): void {
  if (mapped && (m.keyId || m.keyRef || m.fingerprint)) {
    const id = str(pick(o, m, "keyId") ?? pick(o, m, "keyRef"));
    if (id !== null) {
      e.keyRef = id;
      e.keyRefKind = "keyId";
      return;
    }
    const fp = str(pick(o, m, "fingerprint"));
    if (fp !== null) {
      e.keyRef = fp;
      e.keyRefKind = "fingerprint";
    }
    return;
  }
  if (o.keyRef !== undefined) {
    const ref = str(o.keyRef);
    if (ref !== null) {
      e.keyRef = ref;
      e.keyRefKind = o.keyRefKind === "fingerprint" ? "fingerprint" : "keyId";
    }
    return;
  }
  const id = str(o.keyId ?? o.key_id ?? o.apiKeyId ?? o.api_key_id ?? o.credential ?? o.http_x_key_id);
  if (id !== null) {
    e.keyRef = id;
    e.keyRefKind = "keyId";
    return;
  }
  const fp = str(o.keyFingerprint ?? o.key_fingerprint ?? o.fingerprint);
  if (fp !== null) {
    e.keyRef = fp;
    e.keyRefKind = "fingerprint";
  }
}
