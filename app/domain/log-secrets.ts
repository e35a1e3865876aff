// Secret material in gateway logs (DESIGN "Import rules", issue 6 point 5).
//
// Where it hides: request headers logged verbatim (`authorization`, `proxy-authorization`, `x-api-key`,
// `apikey` — Kong's key-auth default —, `api-key`, `x-auth-token`), API Gateway's `apiKey` field (the key
// itself, unlike `apiKeyId`), nginx variables logged as JSON (`http_authorization`, `http_x_api_key`), bearer
// or basic credentials inside any string, and query strings (`?api_key=`, `?key=`, `?token=`).
//
// What the parsers do: the canonical event copies only the fields it needs, so a header or `apiKey` field
// never reaches storage; the query string is always cut off the path; a key reference, user agent or request
// id that carries a credential is dropped or redacted. Each finding is reported by FIELD NAME only (e.g.
// "request.headers.authorization", "apiKey", "query.api_key") so the import report can tell the gateway
// owner what to fix; the value is never copied into a reason or a report.
//
// Cost: the hot path runs one regular expression (SECRET_HINT: literal alternatives, no quantifiers, so
// linear time and no backtracking) over the raw line; only lines that match get the thorough object walk.

/** Cheap pre-filter over a raw line: false means the line holds no secret field name or credential scheme in
 * the spellings gateways use (query parameters are always scanned separately). Literal alternatives only,
 * case-sensitive on purpose: a case-insensitive or class-based pattern is 3–4× slower on V8, and this runs
 * on every line. Spellings covered: authorization/Authorization, Bearer/bearer, Basic, api_key, apikey,
 * apiKey, api-key, X-Api-Key, API_KEY, API-KEY, secret, password, auth_token, x-auth-token, access_token,
 * "sk-" keys. False positives (apiKeyId, "task-") only cost the thorough walk. */
export const SECRET_HINT = /uthoriz|earer|asic |pi_key|pikey|piKey|pi-key|pi-Key|PI_KEY|PI-KEY|ecret|assw|uth_token|uth-token|ccess_token|sk-/;

/** Field names (lowercased, with `-` and `_` removed) whose non-empty value is credential material. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  "authorization",
  "proxyauthorization",
  "httpauthorization",
  "httpproxyauthorization",
  "xapikey",
  "httpxapikey",
  "apikey",
  "httpapikey",
  "xauthtoken",
  "httpxauthtoken",
  "xgoogapikey",
  "accesstoken",
  "authtoken",
  "apitoken",
  "apisecret",
  "secretkey",
  "clientsecret",
  "password",
]);

/** Query parameters whose value is credential material (case-insensitive). */
export const QUERY_SECRET_PARAMS: ReadonlySet<string> = new Set([
  "api_key",
  "apikey",
  "api-key",
  "x-api-key",
  "key",
  "token",
  "access_token",
  "auth_token",
  "id_token",
  "secret",
  "client_secret",
  "password",
]);

const MAX_NAME = 100;
const MAX_WALK_DEPTH = 8;
const MAX_WALK_KEYS = 2000;

/** Appends a field name (deduplicated, capped length) to a lazily created list. */
export function addSecret(list: string[] | null, name: string): string[] {
  const n = name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
  if (list === null) return [n];
  if (!list.includes(n)) list.push(n);
  return list;
}

export function normalizeFieldName(name: string): string {
  let out = "";
  for (let i = 0; i < name.length && i < 64; i++) {
    const c = name.charCodeAt(i);
    if (c === 45 || c === 95) continue;
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : name[i];
  }
  return out;
}

/** A value that is not credential material even under a secret field name: empty, "-", a redaction marker,
 * or a hex SHA-256 (a hashed key, as LiteLLM logs). */
export function isHarmlessValue(v: string): boolean {
  const t = v.trim();
  if (t === "" || t === "-" || t === "null") return true;
  if (/^\[?(redacted|hidden|masked|filtered)\]?$/i.test(t) || /^\*+$/.test(t)) return true;
  return /^[0-9a-fA-F]{64}$/.test(t);
}

/** True when a key reference is really a secret (bearer/basic credential, sk- style key, a JWT). */
export function looksLikeSecretKey(k: string): boolean {
  const c0 = k.charCodeAt(0) | 32;
  if (c0 === 98 /* b */ && /^(?:bearer|basic)\s/i.test(k)) return true;
  if (c0 === 115 /* s */ && (k.startsWith("sk-") || k.startsWith("sk_"))) return true;
  if (c0 === 101 /* e */ && k.startsWith("eyJ") && k.indexOf(".") > 0) return true;
  return k.indexOf(" ") >= 0 && /(?:bearer|basic)\s/i.test(k);
}

const CREDENTIAL_IN_TEXT = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}|\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}/gi;

/** Replaces credentials found inside free text with "[redacted]"; returns the same string when none. */
export function redactSecretText(s: string): string {
  CREDENTIAL_IN_TEXT.lastIndex = 0;
  if (!CREDENTIAL_IN_TEXT.test(s)) return s;
  return s.replace(CREDENTIAL_IN_TEXT, (_m, scheme: string | undefined) => (scheme ? `${scheme} [redacted]` : "[redacted]"));
}

/** Scans `s` from `start` as a query string (a=b&c=d) and records secret-bearing parameters as `${prefix}.${name}`. */
export function scanQueryForSecrets(s: string, start: number, prefix: string, secrets: string[] | null): string[] | null {
  const n = s.length;
  let i = start;
  while (i < n) {
    let amp = s.indexOf("&", i);
    if (amp < 0) amp = n;
    const eq = s.indexOf("=", i);
    if (eq > i && eq + 1 < amp && eq - i <= 24) {
      const name = s.slice(i, eq).toLowerCase();
      if (QUERY_SECRET_PARAMS.has(name)) {
        const value = s.slice(eq + 1, amp);
        if (!isHarmlessValue(value)) secrets = addSecret(secrets, `${prefix}.${name}`);
      }
    }
    i = amp + 1;
  }
  return secrets;
}

/**
 * Walks a parsed JSON value (bounded depth and size) and records the dotted name of every field that carries
 * secret material: a secret field name with a real value, or a credential inside a string. Only called for
 * lines that matched SECRET_HINT. (Query strings are scanned where the path is read: finishEvent reports
 * them as "query.<param>".)
 */
export function scanObjectForSecrets(value: unknown, secrets: string[] | null): string[] | null {
  const budget = { keys: MAX_WALK_KEYS };
  return walk(value, "", 0, secrets, budget);
}

function walk(value: unknown, path: string, depth: number, secrets: string[] | null, budget: { keys: number }): string[] | null {
  if (depth > MAX_WALK_DEPTH || value === null || typeof value !== "object") return secrets;
  const isArray = Array.isArray(value);
  for (const key in value as Record<string, unknown>) {
    if (--budget.keys < 0) return secrets;
    const v = (value as Record<string, unknown>)[key];
    const name = path === "" ? key : isArray ? `${path}[${key}]` : `${path}.${key}`;
    if (typeof v === "string") {
      if (!isArray && SECRET_FIELD_NAMES.has(normalizeFieldName(key))) {
        if (!isHarmlessValue(v)) secrets = addSecret(secrets, name);
      } else if (redactSecretText(v) !== v) {
        secrets = addSecret(secrets, name);
      }
    } else if (typeof v === "object" && v !== null) {
      if (!isArray && SECRET_FIELD_NAMES.has(normalizeFieldName(key)) && !Array.isArray(v)) {
        // e.g. {"authorization": {"scheme": "Bearer", "token": "..."}}: the whole field is secret material.
        secrets = addSecret(secrets, name);
      } else {
        secrets = walk(v, name, depth + 1, secrets, budget);
      }
    }
  }
  return secrets;
}
