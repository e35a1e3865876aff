import { blankEvent, finishEvent, MAX_LINE, reject, type ParseResult } from "../log-event";
import { normalizeIp } from "../log-ip";
import { count, isObject, num, parseJsonObject, str } from "../log-json";
import { scanObjectForSecrets, SECRET_HINT } from "../log-secrets";
import { parseTimeValue } from "../log-time";

// Cloudflare Logpush, dataset http_requests, NDJSON: EdgeStartTimestamp, ClientIP, ClientASN, ClientCountry,
// ClientRequestMethod, ClientRequestURI (path + query), ClientRequestUserAgent, EdgeResponseStatus,
// EdgeResponseBytes, RayID, RequestHeaders (custom fields: an object of the request headers the zone chose to
// log, lowercase names).
// - EdgeStartTimestamp depends on the job's timestamp_format: unixnano (default, a number or numeric text),
//   unix (seconds), RFC 3339, or milliseconds: all handled (epoch unit told apart by magnitude).
// - Key id: RequestHeaders["x-key-id"]. authorization / x-api-key / apikey in RequestHeaders are secrets:
//   dropped and reported ("RequestHeaders.authorization").
// - Country is uppercased ("us" → "US"; Tor "T1" kept); ASN kept.
// - latencyMs: EdgeTimeToFirstByteMs when logged. requestId: RayID.
// - ClientRequestPath (path only) is used when ClientRequestURI is absent.

export function isCloudflareObject(o: Record<string, unknown>): boolean {
  return o.EdgeStartTimestamp !== undefined || o.RayID !== undefined || o.ClientRequestURI !== undefined;
}

export function parseCloudflareLine(line: string): ParseResult {
  if (line.length > MAX_LINE) return reject("line too long");
  const o = parseJsonObject(line);
  if (typeof o === "string") return reject(o);
  const ts = parseTimeValue(o.EdgeStartTimestamp);
  if (Number.isNaN(ts)) return reject(o.EdgeStartTimestamp === undefined ? "no EdgeStartTimestamp" : "EdgeStartTimestamp is not a timestamp");
  const method = str(o.ClientRequestMethod);
  if (method === null) return reject("no ClientRequestMethod");
  const path = str(o.ClientRequestURI) ?? str(o.ClientRequestPath);
  if (path === null) return reject("no ClientRequestURI");
  const status = num(o.EdgeResponseStatus);
  if (status === null) return reject("no EdgeResponseStatus");
  const ipText = str(o.ClientIP);
  const ip = ipText === null ? null : normalizeIp(ipText);
  if (ip === undefined) return reject("ClientIP is not an IP address");

  const hint = SECRET_HINT.test(line);
  const secrets = hint ? scanObjectForSecrets(o, null) : null;
  const headers = isObject(o.RequestHeaders) ? o.RequestHeaders : null;
  const country = str(o.ClientCountry);

  const e = blankEvent();
  e.ts = ts;
  e.requestId = str(o.RayID);
  e.keyRef = headers && (str(headers["x-key-id"]) ?? str(headers["X-Key-Id"]));
  e.srcIp = ip;
  e.asn = count(o.ClientASN);
  e.country = country === null ? null : country.toUpperCase();
  const ua = o.ClientRequestUserAgent;
  e.userAgent = typeof ua === "string" ? ua : null;
  e.method = method;
  e.path = path;
  e.status = status;
  e.bytes = count(o.EdgeResponseBytes);
  e.latencyMs = count(o.EdgeTimeToFirstByteMs);
  return finishEvent(e, secrets, hint);
}
