import { blankEvent, finishEvent, MAX_LINE, reject, type ParseResult } from "../log-event";
import { normalizeIp } from "../log-ip";
import { count, isObject, num, parseJsonObject, str } from "../log-json";
import { addSecret, isHarmlessValue, scanObjectForSecrets, SECRET_HINT } from "../log-secrets";
import { epochToMs, parseTimeValue } from "../log-time";

// AWS API Gateway access logs in JSON ($context variables), e.g. the format
//   {"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",
//    "httpMethod":"$context.httpMethod","path":"$context.path","resourcePath":"$context.resourcePath",
//    "status":"$context.status","responseLength":"$context.responseLength",
//    "apiKeyId":"$context.identity.apiKeyId","userAgent":"$context.identity.userAgent",
//    "responseLatency":"$context.responseLatency","errorType":"$context.error.responseType"}
// Values arrive as strings ("200", "-" for null): coerced. requestTime is CLF; requestTimeEpoch (ms) wins.
// The key id is `apiKeyId` (or a nested identity.apiKeyId). `apiKey` ($context.identity.apiKey) IS THE SECRET:
// it is never read into the event and is reported as "apiKey".
// Path: `path` (the concrete path) with the stage prefix removed when `stage` is logged
// ("/prod/v1/x" → "/v1/x"); else `resourcePath` (the route template, e.g. "/v1/models/{model}/messages").
// HTTP APIs (v2) log routeKey "POST /v1/x" and http.method/http.path: read as fallbacks.
// gatewayError: error.responseType lowercased (MISSING_AUTHENTICATION_TOKEN is what API Gateway answers for
// an unknown path, INVALID_API_KEY, THROTTLED, …).

export function isApigwObject(o: Record<string, unknown>): boolean {
  return o.requestTime !== undefined && (o.httpMethod !== undefined || o.resourcePath !== undefined || o.routeKey !== undefined) && o.requestId !== undefined;
}

export function parseApigwLine(line: string): ParseResult {
  if (line.length > MAX_LINE) return reject("line too long");
  const o = parseJsonObject(line);
  if (typeof o === "string") return reject(o);

  const epoch = num(o.requestTimeEpoch);
  const ts = epoch !== null ? epochToMs(epoch) : parseTimeValue(o.requestTime);
  if (Number.isNaN(ts)) return reject(o.requestTime === undefined ? "no requestTime" : "requestTime is not a timestamp");

  const http = isObject(o.http) ? o.http : null;
  const routeKey = str(o.routeKey);
  const sp = routeKey === null ? -1 : routeKey.indexOf(" ");
  const method = str(o.httpMethod) ?? (http && str(http.method)) ?? (sp > 0 ? routeKey!.slice(0, sp) : null);
  if (method === null) return reject("no httpMethod");
  let path = str(o.path) ?? (http && str(http.path));
  const stage = str(o.stage);
  if (path !== null && stage !== null && path.length > stage.length + 1 && path.charCodeAt(0) === 47 && path.startsWith(stage, 1) && path.charCodeAt(stage.length + 1) === 47) {
    path = path.slice(stage.length + 1);
  }
  path = path ?? str(o.resourcePath) ?? (sp > 0 ? routeKey!.slice(sp + 1) : null);
  if (path === null) return reject("no path or resourcePath");
  const status = num(o.status);
  if (status === null) return reject("no status");

  const ipText = str(o.ip) ?? str(o.sourceIp);
  const ip = ipText === null ? null : normalizeIp(ipText);
  if (ip === undefined) return reject("ip is not an IP address");

  let secrets: string[] | null = null;
  const identity = isObject(o.identity) ? o.identity : null;
  const apiKey = o.apiKey;
  if (typeof apiKey === "string" && !isHarmlessValue(apiKey)) secrets = addSecret(secrets, "apiKey");
  const hint = SECRET_HINT.test(line);
  if (hint) secrets = scanObjectForSecrets(o, secrets);

  const e = blankEvent();
  e.ts = ts;
  e.requestId = str(o.requestId) ?? str(o.extendedRequestId);
  e.keyRef = str(o.apiKeyId) ?? (identity && str(identity.apiKeyId));
  e.srcIp = ip;
  const ua = o.userAgent ?? (identity ? identity.userAgent : undefined);
  e.userAgent = typeof ua === "string" ? (ua === "-" ? "" : ua) : null;
  e.method = method;
  e.path = path;
  e.status = status;
  const err = str(o.errorType) ?? str(o["error.responseType"]) ?? str(o.errorResponseType) ?? (isObject(o.error) ? str(o.error.responseType) : null);
  e.gatewayError = err === null ? null : err.toLowerCase();
  e.bytes = count(o.responseLength);
  e.latencyMs = count(o.responseLatency) ?? count(o.integrationLatency) ?? count(o.latency);
  return finishEvent(e, secrets, hint);
}
