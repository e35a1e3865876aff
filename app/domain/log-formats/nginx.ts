import { blankEvent, finishEvent, MAX_LINE, reject, type ParseResult } from "../log-event";
import { normalizeIp } from "../log-ip";
import { scanQueryForSecrets, SECRET_HINT } from "../log-secrets";
import { parseClf } from "../log-time";
import { intSpan, quotedEnd, splitRequestLine } from "./access-line";

// nginx `combined` (and Apache's identical "combined"), Common Log Format, and `combined` followed by ONE
// quoted field holding the key id. To log the key id, configure nginx with:
//
//   log_format keyward '$remote_addr - $remote_user [$time_local] "$request" '
//                      '$status $body_bytes_sent "$http_referer" "$http_user_agent" "$key_id"';
//   access_log /var/log/nginx/api.log keyward;
//
// where $key_id is the PUBLIC key id your gateway resolves, e.g. with auth_request:
//   auth_request_set $key_id $upstream_http_x_key_id;
// or "$http_x_key_id" when a trusted front proxy sets X-Key-Id. Never log $http_authorization or
// $http_x_api_key: that is the secret (the parser drops it and reports it, but it is already on disk).
//
// Accepted variations (seen in real logs): a leading virtual host ("www.example.net 1.2.3.4 - - [...]",
// Apache's vhost_combined, optionally "host:port"), a missing remote_user dash ("1.2.3.4 - [...]"), "-" for
// zero bytes, a trailing field that is an IP list (nginx's default `main` format ends with
// "$http_x_forwarded_for"): that is not a key, it is ignored.
//
// Refused with a reason, counted by the import: a request field that is not `METHOD PATH PROTOCOL` (binary
// junk from TLS/RDP/botnet probes, "HELP", "batman") and an empty request ("-"). Decision: reject rather than
// accept with method "-": such lines name no path, so they could never match a credential or an endpoint,
// and a fake method would pollute every per-path rule; the import report still counts them per reason.
// Also refused: nginx error-log lines, which sometimes end up in the same file.

const ERROR_LOG = "nginx error-log line, not an access-log line";

function looksLikeErrorLog(line: string): boolean {
  // "2021/12/01 13:53:33 [error] 31#31: ..."
  return line.length > 20 && line.charCodeAt(4) === 47 && line.charCodeAt(7) === 47 && line.charCodeAt(10) === 32 && line.charCodeAt(13) === 58;
}

/** True when the line has the shape of a CLF/combined line (used by format detection; junk requests count). */
export function isNginxShape(line: string): boolean {
  const lb = line.indexOf(" [");
  if (lb < 0 || lb > 300) return false;
  const end = lb + 28;
  return line.charCodeAt(end) === 93 /* ] */ && !Number.isNaN(parseClf(line, lb + 2)) && line.startsWith(' "', end + 1);
}

export function parseNginxLine(line: string): ParseResult {
  if (line.length > MAX_LINE) return reject("line too long");
  const lb = line.indexOf(" [");
  if (lb < 0) return reject("not an access-log line (no [time])");

  // Tokens before the time: [vhost] addr ident user. The address is the first token, or the second when the
  // first is a virtual host.
  const sp0 = line.indexOf(" ");
  let ip = normalizeIp(line.slice(0, sp0));
  if (typeof ip !== "string" && sp0 < lb) {
    const sp1 = line.indexOf(" ", sp0 + 1);
    if (sp1 > 0 && sp1 <= lb) ip = normalizeIp(line.slice(sp0 + 1, sp1));
  }
  if (typeof ip !== "string") return reject(looksLikeErrorLog(line) ? ERROR_LOG : "client address is not an IP address");

  const ts = parseClf(line, lb + 2);
  const close = lb + 28;
  if (Number.isNaN(ts) || line.charCodeAt(close) !== 93) {
    return reject(looksLikeErrorLog(line) ? ERROR_LOG : "time is not [dd/Mon/yyyy:HH:MM:SS +zzzz]");
  }
  if (line.charCodeAt(close + 1) !== 32 || line.charCodeAt(close + 2) !== 34) return reject("no quoted request after the time");
  const reqOpen = close + 2;
  const reqClose = quotedEnd(line, reqOpen);
  if (reqClose < 0) return reject("unterminated quoted request");

  // status and bytes
  const stFrom = reqClose + 2;
  const stTo = line.indexOf(" ", stFrom);
  const status = intSpan(line, stFrom, stTo < 0 ? line.length : stTo);
  if (status < 0) return reject("status is not a number");
  let bytes: number | null = null;
  let i = line.length;
  if (stTo > 0) {
    const bTo0 = line.indexOf(" ", stTo + 1);
    const bTo = bTo0 < 0 ? line.length : bTo0;
    if (!(bTo === stTo + 2 && line.charCodeAt(stTo + 1) === 45)) {
      bytes = intSpan(line, stTo + 1, bTo);
      if (bytes < 0) return reject("bytes sent is not a number");
    }
    i = bTo;
  }

  const req = splitRequestLine(line, reqOpen + 1, reqClose);
  if (typeof req === "string") return reject(req);

  let secrets: string[] | null = null;
  let userAgent: string | null = null;
  let keyRef: string | null = null;
  // "referer" "user agent" ["key"] — all optional (Common Log Format ends after bytes).
  if (i + 1 < line.length && line.charCodeAt(i + 1) === 34) {
    const refClose = quotedEnd(line, i + 1);
    if (refClose < 0) return reject("unterminated quoted referer");
    const q = line.indexOf("?", i + 2);
    if (q > 0 && q < refClose) secrets = scanQueryForSecrets(line.slice(i + 2, refClose), q - i - 1, "referer.query", secrets);
    i = refClose + 1;
    if (i + 1 < line.length && line.charCodeAt(i + 1) === 34) {
      const uaClose = quotedEnd(line, i + 1);
      if (uaClose < 0) return reject("unterminated quoted user agent");
      userAgent = uaClose === i + 3 && line.charCodeAt(i + 2) === 45 ? "" : line.slice(i + 2, uaClose);
      i = uaClose + 1;
      if (i + 1 < line.length && line.charCodeAt(i + 1) === 34) {
        const kClose = quotedEnd(line, i + 1);
        if (kClose < 0) return reject("unterminated quoted key field");
        const k = line.slice(i + 2, kClose);
        if (k !== "-" && k !== "") {
          const comma = k.indexOf(",");
          const first = comma < 0 ? k : k.slice(0, comma);
          // An IP (list) is X-Forwarded-For from nginx's `main` format, not a key id.
          if (typeof normalizeIp(first) !== "string") keyRef = k;
        }
      }
    }
  }

  const e = blankEvent();
  e.ts = ts;
  e.srcIp = ip;
  e.keyRef = keyRef;
  e.userAgent = userAgent;
  e.method = req[0];
  e.path = req[1];
  e.status = status;
  e.bytes = bytes;
  return finishEvent(e, secrets, SECRET_HINT.test(line));
}
