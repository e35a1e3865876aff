import { blankEvent, finishEvent, MAX_LINE, reject, type ParseResult } from "../log-event";
import { clientAddress, normalizeIp } from "../log-ip";
import { count, num, parseJsonObject, str } from "../log-json";
import { scanObjectForSecrets, SECRET_HINT } from "../log-secrets";
import { parseIso, parseTimeValue } from "../log-time";
import { intSpan, quotedEnd, splitRequestLine, tokenEnd } from "./access-line";

// Envoy access logs, two shapes (one parser: a file may mix them, as Envoy Gateway's pods do):
//
// 1. Envoy's default text format, optionally followed by ONE more quoted field holding the key id:
//    [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
//    %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
//    "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
//    ["%REQ(X-KEY-ID)%"]
//    The default format has no peer address: the client comes from X-Forwarded-For (right-most public
//    entry, else the left-most; null when "-"), see clientAddress in log-ip.
// 2. Envoy Gateway's JSON (start_time, method, x-envoy-origin-path, response_code, response_flags,
//    bytes_sent, duration, user-agent, x-request-id, downstream_remote_address "ip:port", x-forwarded-for);
//    the key id from a header field added to the format: x-key-id (or key_id / keyId).
//    Client: the TCP peer unless it is one of our private proxies, then the right-most public XFF entry.
// Both may carry a container runtime's "<RFC3339> stdout F " prefix: log-parse strips it for every format.
//
// Response flags become `gatewayError`: NR (no route) → "no_route", and the other documented flags by name.

const FLAG_NAMES: Record<string, string> = {
  NR: "no_route",
  NC: "no_cluster",
  UH: "no_healthy_upstream",
  UF: "upstream_connection_failure",
  UO: "upstream_overflow",
  URX: "upstream_retry_limit_exceeded",
  UT: "upstream_timeout",
  UC: "upstream_connection_termination",
  UR: "upstream_remote_reset",
  LH: "local_health_check_failed",
  LR: "local_reset",
  DC: "downstream_connection_termination",
  DT: "duration_timeout",
  DPE: "downstream_protocol_error",
  UPE: "upstream_protocol_error",
  RL: "rate_limited",
  RLSE: "rate_limit_service_error",
  UAEX: "unauthorized_external_service",
  IH: "invalid_header",
  SI: "stream_idle_timeout",
  FI: "fault_injected",
  OM: "overload_manager",
};

/** Maps Envoy's %RESPONSE_FLAGS% ("-", "NR", "UH,UF") to a gateway error; NR wins when present. */
export function envoyGatewayError(flags: string | null): string | null {
  if (flags === null || flags === "-" || flags === "") return null;
  if (flags === "NR" || flags.indexOf("NR") >= 0) {
    for (const f of flags.split(",")) if (f.trim() === "NR") return "no_route";
  }
  const comma = flags.indexOf(",");
  const first = (comma < 0 ? flags : flags.slice(0, comma)).trim();
  return FLAG_NAMES[first] ?? `envoy_${first.toLowerCase().slice(0, 40)}`;
}

export function isEnvoyTextShape(line: string): boolean {
  if (line.charCodeAt(0) !== 91) return false;
  const close = line.indexOf("]");
  return close > 19 && close < 40 && !Number.isNaN(parseIso(line, 1, close)) && line.startsWith(' "', close + 1);
}

export function isEnvoyJsonObject(o: Record<string, unknown>): boolean {
  return o.response_code !== undefined && (o.start_time !== undefined || o["x-envoy-origin-path"] !== undefined || o.downstream_remote_address !== undefined);
}

export function parseEnvoyLine(line: string): ParseResult {
  if (line.length > MAX_LINE) return reject("line too long");
  const c0 = line.charCodeAt(0);
  if (c0 === 91 /* [ */) return parseText(line);
  if (c0 === 123 /* { */) return parseJson(line);
  return reject("not an Envoy access-log line ([time] text or JSON)");
}

function quoted(line: string, at: number): [string, number] | null {
  if (line.charCodeAt(at) !== 32 || line.charCodeAt(at + 1) !== 34) return null;
  const close = quotedEnd(line, at + 1);
  if (close < 0) return null;
  return [line.slice(at + 2, close), close + 1];
}

function dash(v: string): string | null {
  return v === "-" || v === "" ? null : v;
}

function parseText(line: string): ParseResult {
  const close = line.indexOf("]");
  const ts = close > 0 ? parseIso(line, 1, close) : NaN;
  if (Number.isNaN(ts)) return reject("time is not [ISO 8601]");
  if (!line.startsWith(' "', close + 1)) return reject("no quoted request after the time");
  const reqClose = quotedEnd(line, close + 2);
  if (reqClose < 0) return reject("unterminated quoted request");
  // code flags rx tx duration upstream-time
  let i = reqClose + 2;
  const codeEnd = tokenEnd(line, i);
  const status = intSpan(line, i, codeEnd);
  if (status < 0) return reject("status is not a number");
  i = codeEnd + 1;
  const flagsEnd = tokenEnd(line, i);
  const flags = line.slice(i, flagsEnd);
  i = flagsEnd + 1;
  const rxEnd = tokenEnd(line, i);
  i = rxEnd + 1;
  const txEnd = tokenEnd(line, i);
  const tx = intSpan(line, i, txEnd);
  i = txEnd + 1;
  const durEnd = tokenEnd(line, i);
  const duration = intSpan(line, i, durEnd);
  i = durEnd + 1;
  const ustEnd = tokenEnd(line, i);
  if (ustEnd >= line.length) return reject("too few fields for Envoy's default format");
  i = ustEnd;
  const xff = quoted(line, i);
  if (xff === null) return reject("no quoted X-Forwarded-For field");
  const ua = quoted(line, xff[1]);
  if (ua === null) return reject("no quoted user-agent field");
  const rid = quoted(line, ua[1]);
  if (rid === null) return reject("no quoted request-id field");
  const authority = quoted(line, rid[1]);
  const upstream = authority === null ? null : quoted(line, authority[1]);
  const key = upstream === null ? null : quoted(line, upstream[1]);

  const req = splitRequestLine(line, close + 3, reqClose);
  if (typeof req === "string") return reject(req);

  const e = blankEvent();
  e.ts = ts;
  e.requestId = dash(rid[0]);
  e.keyRef = key === null ? null : dash(key[0]);
  e.srcIp = clientAddress(null, dash(xff[0]));
  e.userAgent = ua[0] === "-" ? "" : ua[0];
  e.method = req[0];
  e.path = req[1];
  e.status = status;
  e.gatewayError = envoyGatewayError(flags);
  e.bytes = tx < 0 ? null : tx;
  e.latencyMs = duration < 0 ? null : duration;
  return finishEvent(e, null, SECRET_HINT.test(line));
}

function parseJson(line: string): ParseResult {
  const o = parseJsonObject(line);
  if (typeof o === "string") return reject(o);
  const ts = parseTimeValue(o.start_time);
  if (Number.isNaN(ts)) return reject(o.start_time === undefined ? "no start_time" : "start_time is not a timestamp");
  const method = str(o.method) ?? str(o[":method"]);
  if (method === null) return reject("no method");
  const path = str(o["x-envoy-origin-path"]) ?? str(o.path) ?? str(o[":path"]);
  if (path === null) return reject("no x-envoy-origin-path");
  const status = num(o.response_code);
  if (status === null) return reject("no response_code");

  let peer: string | null = null;
  const dra = o.downstream_remote_address;
  if (typeof dra === "string") {
    const p = normalizeIp(dra);
    if (p === undefined) return reject("downstream_remote_address is not an IP address");
    peer = p;
  }
  const hint = SECRET_HINT.test(line);
  const secrets = hint ? scanObjectForSecrets(o, null) : null;

  const e = blankEvent();
  e.ts = ts;
  e.requestId = str(o["x-request-id"]);
  e.keyRef = str(o["x-key-id"]) ?? str(o.key_id) ?? str(o.keyId);
  e.srcIp = clientAddress(peer, str(o["x-forwarded-for"]));
  const ua = o["user-agent"];
  e.userAgent = typeof ua === "string" ? (ua === "-" ? "" : ua) : ua === null ? "" : null;
  e.method = method;
  e.path = path;
  e.status = status;
  e.gatewayError = envoyGatewayError(str(o.response_flags));
  e.bytes = count(o.bytes_sent);
  e.latencyMs = count(o.duration);
  return finishEvent(e, secrets, hint);
}
