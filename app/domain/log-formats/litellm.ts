import { blankEvent, finishEvent, MAX_LINE, reject, type ParseResult } from "../log-event";
import { normalizeIp } from "../log-ip";
import { count, isObject, num, parseJsonObject, str } from "../log-json";
import { scanObjectForSecrets, SECRET_HINT } from "../log-secrets";
import { parseTimeValue } from "../log-time";

// LiteLLM proxy spend logs (LiteLLM_SpendLogs rows exported one JSON object per line): request_id,
// call_type, api_key, startTime/endTime, model, model_group, prompt_tokens, completion_tokens, spend, user,
// metadata, requester_ip_address, status.
//
// - Key: `api_key` is LiteLLM's SHA-256 (lowercase hex) of the virtual key, so keyRefKind is "fingerprint",
//   matched against credential fingerprints. A raw "sk-…" there is the secret itself: dropped and reported.
//   An empty api_key (unauthenticated call) gives no key reference; any other non-hash value is kept as a
//   key id (it will be listed as unregistered).
// - LiteLLM logs no URL and no HTTP method: path is `/litellm/${call_type}` (e.g. /litellm/acompletion) and
//   method POST. The catalog should map those paths (or treat LiteLLM events as model-only). `model` is
//   `model` (the deployment LiteLLM called), falling back to `model_group` (the name the client asked for)
//   when empty. Note for detection: model_group is closer to what a guessing client typed.
// - Status: LiteLLM has no HTTP status. `status` "success" (or missing: older versions only logged
//   successes) → 200; "failure" → the numeric error code in metadata.error_information.error_code when
//   there is one, else 500, with gatewayError "litellm_failure".
// - ts = startTime (ISO; naive timestamps are UTC); latencyMs = endTime − startTime.
// - No user agent in spend logs: userAgent is null (unknown), not "" (none sent).

export function isLitellmObject(o: Record<string, unknown>): boolean {
  return o.call_type !== undefined && (o.api_key !== undefined || o.spend !== undefined || o.startTime !== undefined);
}

export function parseLitellmLine(line: string): ParseResult {
  if (line.length > MAX_LINE) return reject("line too long");
  const o = parseJsonObject(line);
  if (typeof o === "string") return reject(o);
  const ts = parseTimeValue(o.startTime);
  if (Number.isNaN(ts)) return reject(o.startTime === undefined ? "no startTime" : "startTime is not a timestamp");
  const callType = str(o.call_type);
  if (callType === null) return reject("no call_type");
  const end = parseTimeValue(o.endTime);

  const ipText = str(o.requester_ip_address);
  const ip = ipText === null ? null : normalizeIp(ipText);
  if (ip === undefined) return reject("requester_ip_address is not an IP address");

  let status = 200;
  let gatewayError: string | null = null;
  const st = str(o.status);
  const metadata = isObject(o.metadata) ? o.metadata : null;
  if (st !== null && st !== "success") {
    if (st === "failure") {
      const info = metadata !== null && isObject(metadata.error_information) ? metadata.error_information : null;
      const code = info === null ? null : num(info.error_code);
      status = code !== null && code >= 400 && code <= 599 ? code : 500;
      gatewayError = "litellm_failure";
    } else return reject("status is neither success nor failure");
  }

  const hint = SECRET_HINT.test(line);
  const secrets = hint ? scanObjectForSecrets(o, null) : null;

  const e = blankEvent();
  e.ts = ts;
  e.requestId = str(o.request_id);
  e.keyRef = str(o.api_key);
  // A 64-hex value is LiteLLM's hash; anything else (a key alias, a misconfigured export) stays a key id so
  // the event is kept and the value shows up among unregistered keys (a raw "sk-…" is dropped as a secret).
  e.keyRefKind = e.keyRef === null ? null : /^[0-9a-fA-F]{64}$/.test(e.keyRef) ? "fingerprint" : "keyId";
  e.srcIp = ip;
  e.method = "POST";
  e.path = `/litellm/${callType}`;
  e.model = str(o.model) ?? str(o.model_group);
  e.status = status;
  e.gatewayError = gatewayError;
  e.latencyMs = Number.isNaN(end) || end < ts ? null : end - ts;
  e.tokensIn = count(o.prompt_tokens);
  e.tokensOut = count(o.completion_tokens);
  return finishEvent(e, secrets, hint);
}
