import path from "node:path";
import { gzipSync } from "node:zlib";
import { base64url, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { apiTokens } from "../../db/schema";
import { eq } from "drizzle-orm";
import { issueApiToken } from "~/api-auth.server";
import { getJwks, signToken } from "~/jwt.server";
import { API_TOKEN_AUDIENCE, PUSH_MAX_BYTES, revokeApiToken } from "~/models/api-token.server";
import { INVITATION_AUDIENCE } from "~/models/invitation.server";
import { login, request } from "../support/app";
import { actorFor, createOrg, createUser } from "../support/factories";
import { createCredential } from "../support/credential-factory";

// POST /api/v1/logs through the built app and the same hardened handler as the server, with bodies
// that the form-only helper in support/app.ts cannot send (raw bytes, gzip, streams).

const ORIGIN = "http://keyward.test";
const API = "/api/v1/logs";
const DAY = 86_400_000;
const raw = () => getDb().$client;

let sec: { id: string; email: string; ctx: { actor: ReturnType<typeof actorFor>; ip: string } };

beforeAll(async () => {
  const u = await createUser({ role: "security" });
  sec = { ...u, ctx: { actor: actorFor(u.id), ip: "192.0.2.50" } };
});

type PushOpts = { token?: string | null; body?: BodyInit | ReadableStream<Uint8Array> | null; query?: string; headers?: Record<string, string>; method?: string };

async function push({ token, body, query = "", headers = {}, method = "POST" }: PushOpts = {}) {
  return request(`${API}${query}`, { method, body: body ?? null, headers: token ? { ...headers, Authorization: `Bearer ${token}` } : headers, origin: null, ip: "203.0.113.77" });
}

const issue = (over: Partial<{ name: string; source: string; expiresInDays: number }> = {}, ctx = sec.ctx) =>
  issueApiToken(ctx, { name: over.name ?? "Vector", source: over.source ?? `gw-${crypto.randomUUID().slice(0, 8)}`, scope: "logs:write", expiresInDays: over.expiresInDays ?? 30 });

let seq = 0;
const T0 = Date.now() - 60 * 60_000;
function events(keyId: string, n: number, over: Record<string, unknown> = {}) {
  const run = seq++;
  return (
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ ts: new Date(T0 + run * 10_000 + i).toISOString(), requestId: `push-${run}-${i}`, keyId, srcIp: "198.51.100.20", userAgent: "vector/0.40", method: "POST", path: "/v1/models/atlas-2/messages", status: 200, ...over }),
    ).join("\n") + "\n"
  );
}
const eventsOf = (importId: string) => (raw().prepare("SELECT count(*) AS n FROM log_events e JOIN event_refs r ON r.ref = e.import_ref AND r.kind = 'import' WHERE r.target_id = ?").get(importId) as { n: number }).n;

/** A token with the current key's kid, signed some other way. */
async function currentJwk(): Promise<JWK> {
  return (await getJwks()).keys[0];
}
function claimsFor(jti: string) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: "keyward", aud: API_TOKEN_AUDIENCE, sub: sec.id, jti, scope: "logs:write", iat: now, exp: now + 3600 };
}

async function expect401(res: Response) {
  expect(res.status).toBe(401);
  expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="keyward"/);
  expect(res.headers.get("Content-Type")).toContain("application/json");
  const body = (await res.json()) as { error: string };
  expect(body.error.length).toBeGreaterThan(5);
  return body;
}

describe("POST /api/v1/logs: authentication", () => {
  it("refuses a missing header with 401 and a bare challenge, and does not accept a session cookie instead", async () => {
    const res = await push({ body: events("kw_x", 1) });
    await expect401(res);
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="keyward"');

    const user = await createUser({ role: "security" });
    const cookie = await login(user.email, user.password);
    const withCookie = await push({ body: events("kw_x", 1), headers: { Cookie: cookie, Origin: ORIGIN } });
    await expect401(withCookie);
  });

  it("refuses garbage, a Basic header and a token of the wrong shape with 401 invalid_token", async () => {
    for (const header of ["Bearer garbage", "Bearer a.b.c", "Bearer ", "Basic dXNlcjpwYXNz", `Bearer ${"x".repeat(5000)}`, "Bearer eyJhbGciOiJFUzI1NiJ9.e30.e30 extra"]) {
      const res = await push({ body: events("kw_x", 1), headers: { Authorization: header } });
      await expect401(res);
      expect(res.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
    }
  });

  it("refuses an expired token and a revoked one", async () => {
    const old = await issue({ expiresInDays: 1 }, { ...sec.ctx, now: new Date(Date.now() - 3 * DAY) } as typeof sec.ctx);
    await expect401(await push({ token: old.token, body: events("kw_x", 1) }));

    const t = await issue();
    expect((await push({ token: t.token, body: events("kw_x", 1) })).status).toBe(200);
    revokeApiToken(sec.ctx, t.id);
    const body = await expect401(await push({ token: t.token, body: events("kw_x", 1) }));
    expect(body.error).toContain("revoked");
  });

  it('refuses a token with alg "none", even naming a real token\'s jti and the current kid', async () => {
    const t = await issue();
    const { kid } = await currentJwk();
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    for (const alg of ["none", "None", "NONE"]) {
      const unsigned = `${enc({ alg, typ: "JWT", kid })}.${enc(claimsFor(t.id))}.`;
      await expect401(await push({ token: unsigned, body: events("kw_x", 1) }));
    }
    // And the real token's header and payload with its signature stripped.
    const [h, p] = t.token.split(".");
    await expect401(await push({ token: `${h}.${p}.`, body: events("kw_x", 1) }));
  });

  it("refuses an HS256 token keyed with the published public key (JWK or PEM) as the HMAC secret", async () => {
    const t = await issue();
    const jwk = await currentJwk();
    const pem = await exportSPKI((await importJWK(jwk, "ES256", { extractable: true })) as CryptoKey);
    for (const secret of [JSON.stringify(jwk), pem, jwk.x!]) {
      const forged = await new SignJWT({ scope: "logs:write" })
        .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: jwk.kid })
        .setIssuer("keyward")
        .setAudience(API_TOKEN_AUDIENCE)
        .setSubject(sec.id)
        .setJti(t.id)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(secret));
      await expect401(await push({ token: forged, body: events("kw_x", 1) }));
    }
  });

  it("refuses a valid ES256 token from another key pair claiming the same kid", async () => {
    const t = await issue();
    const { kid } = await currentJwk();
    const other = await generateKeyPair("ES256", { extractable: true });
    expect((await exportJWK(other.publicKey)).x).not.toBe((await currentJwk()).x);
    const forged = await new SignJWT({ scope: "logs:write" })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", kid })
      .setIssuer("keyward")
      .setAudience(API_TOKEN_AUDIENCE)
      .setSubject(sec.id)
      .setJti(t.id)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(other.privateKey);
    await expect401(await push({ token: forged, body: events("kw_x", 1) }));
  });

  it("refuses a genuine Keyward token for another audience (an invitation link's) or another issuer", async () => {
    const t = await issue();
    const invitation = await signToken({ scope: "logs:write" }, { audience: INVITATION_AUDIENCE, subject: sec.id, jti: t.id, expiresAt: new Date(Date.now() + DAY) });
    await expect401(await push({ token: invitation, body: events("kw_x", 1) }));
    // A token naming no row at all.
    const orphan = await signToken({ scope: "logs:write" }, { audience: API_TOKEN_AUDIENCE, subject: sec.id, jti: crypto.randomUUID(), expiresAt: new Date(Date.now() + DAY) });
    await expect401(await push({ token: orphan, body: events("kw_x", 1) }));
  });

  it("answers 403 insufficient_scope to a valid token without logs:write", async () => {
    const id = crypto.randomUUID();
    const expiresAt = new Date(Date.now() + DAY);
    getDb().insert(apiTokens).values({ id, name: "reader", scope: "audit:read", source: "gw-read", createdById: sec.id, expiresAt }).run();
    const reader = await signToken({ scope: "audit:read" }, { audience: API_TOKEN_AUDIENCE, subject: sec.id, jti: id, expiresAt });
    const res = await push({ token: reader, body: events("kw_x", 1) });
    expect(res.status).toBe(403);
    expect(res.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
    expect(((await res.json()) as { error: string }).error).toContain("logs:write");

    // A JWT without the scope claim is not saved by its row's scope either.
    const t = await issue();
    const noClaim = await signToken({}, { audience: API_TOKEN_AUDIENCE, subject: sec.id, jti: t.id, expiresAt });
    expect((await push({ token: noClaim, body: events("kw_x", 1) })).status).toBe(403);
  });
});

describe("POST /api/v1/logs: importing", () => {
  it("imports NDJSON into the token's source and answers the summary; the same events pushed again are stored once", async () => {
    const org = createOrg();
    const cred = createCredential(org.id);
    const t = await issue({ name: "Vector eu-1", source: "gw-eu-push" });
    const body = events(cred.keyId, 25) + events("kw_unregistered_push", 5);
    const res = await push({ token: t.token, body, headers: { "Content-Type": "application/x-ndjson", Origin: "https://elsewhere.example" } });
    expect(res.status).toBe(200);
    const s = (await res.json()) as { importId: string; format: string; lines: number; parsed: number; duplicates: number; matched: number; unmatched: number; unregisteredKeys: { keyRef: string }[] };
    expect(s).toMatchObject({ format: "jsonl", lines: 30, parsed: 30, rejected: 0, duplicates: 0, matched: 25, unmatched: 5 });
    expect(s.unregisteredKeys.map((k) => k.keyRef)).toEqual(["kw_unregistered_push"]);
    expect(eventsOf(s.importId)).toBe(30);
    expect(raw().prepare("SELECT source, via, status, created_by_id FROM log_imports WHERE id = ?").get(s.importId)).toEqual({ source: "gw-eu-push", via: "push", status: "completed", created_by_id: null });
    expect(raw().prepare("SELECT last_used_at FROM credentials WHERE id = ?").get(cred.id)).not.toEqual({ last_used_at: null });

    // The token's last use moved, and the push is audited without an actor, naming the token.
    const row = getDb().select().from(apiTokens).where(eq(apiTokens.id, t.id)).get()!;
    expect(row.lastUsedAt).not.toBeNull();
    const pushed = raw().prepare("SELECT actor_id, ip, details FROM audit_log WHERE action = 'logs.pushed' AND target_id = ?").all(t.id) as { actor_id: string | null; ip: string; details: string }[];
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ actor_id: null, ip: "203.0.113.77" });
    expect(JSON.parse(pushed[0].details)).toMatchObject({ tokenId: t.id, tokenName: "Vector eu-1", importId: s.importId, outcome: "imported", parsed: 30 });
    expect(raw().prepare("SELECT actor_id FROM audit_log WHERE action = 'logs.imported' AND target_id = ?").get(s.importId)).toEqual({ actor_id: null });

    // A shipper's retry: nothing is stored twice.
    const again = await push({ token: t.token, body });
    expect(again.status).toBe(200);
    const s2 = (await again.json()) as { importId: string; parsed: number; duplicates: number };
    expect(s2).toMatchObject({ parsed: 30, duplicates: 30 });
    expect(eventsOf(s2.importId)).toBe(0);
    expect(eventsOf(s.importId)).toBe(30);
  });

  it("accepts gzip, with Content-Encoding: gzip or recognised by its magic bytes", async () => {
    const t = await issue();
    const withHeader = await push({ token: t.token, body: gzipSync(events("kw_gz", 12)), headers: { "Content-Encoding": "gzip" } });
    expect(withHeader.status).toBe(200);
    expect(await withHeader.json()).toMatchObject({ parsed: 12, duplicates: 0 });
    const bare = await push({ token: t.token, body: gzipSync(events("kw_gz", 7)) });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toMatchObject({ parsed: 7 });
    const brotli = await push({ token: t.token, body: events("kw_gz", 1), headers: { "Content-Encoding": "br" } });
    expect(brotli.status).toBe(415);
  });

  it("takes ?format= and ?source=, and refuses unknown values with 400", async () => {
    const t = await issue({ source: "gw-default" });
    const nginx = Array.from({ length: 4 }, (_, i) => `198.51.100.9 - - [24/Nov/2026:09:0${i}:00 +0000] "GET /v1/models HTTP/1.1" 200 12 "-" "curl/8.5.0"`).join("\n") + "\n";
    const res = await push({ token: t.token, body: nginx, query: "?format=nginx&source=edge-nginx" });
    expect(res.status).toBe(200);
    const s = (await res.json()) as { importId: string; format: string; parsed: number };
    expect(s).toMatchObject({ format: "nginx", parsed: 4 });
    expect(raw().prepare("SELECT source FROM log_imports WHERE id = ?").get(s.importId)).toEqual({ source: "edge-nginx" });

    for (const query of ["?format=csv", "?source=has%20space", "?source="]) {
      const bad = await push({ token: t.token, body: nginx, query });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/format|source|Enter|letters/i);
    }
  });

  it("answers 400 with the reason for unreadable input", async () => {
    const t = await issue();
    const cases: [BodyInit | null, RegExp][] = [
      [null, /empty/],
      [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]), /binary/],
      ["hello\nthis is not a log\n", /Could not recognise the log format/],
      [(() => { const gz = gzipSync(events("kw_x", 50)); return gz.subarray(0, gz.length - 30); })(), /truncated/],
    ];
    for (const [body, message] of cases) {
      const res = await push({ token: t.token, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("refuses a body over the limit with 413, declared or streamed; what was committed before stays", async () => {
    const t = await issue();
    const declared = await push({ token: t.token, body: events("kw_big", 1), headers: { "Content-Length": String(PUSH_MAX_BYTES + 1) } });
    expect(declared.status).toBe(413);

    // Ten real events, then whitespace lines (skipped cheaply) until past the limit, streamed in 256 KB chunks.
    const head = Buffer.from(events("kw_big", 10));
    const filler = Buffer.alloc(256 * 1024, 0x20);
    for (let i = 1023; i < filler.length; i += 1024) filler[i] = 0x0a;
    const chunks = Math.ceil(PUSH_MAX_BYTES / filler.length) + 20;
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        if (sent >= chunks) return controller.close();
        controller.enqueue(filler);
        sent++;
      },
    });
    const res = await push({ token: t.token, body: stream });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: string; importId: string; limitBytes: number };
    expect(body.error).toContain("50 MB");
    expect(body.limitBytes).toBe(PUSH_MAX_BYTES);
    // The import stopped there, recorded as failed, with the events read before the limit committed.
    expect(raw().prepare("SELECT status FROM log_imports WHERE id = ?").get(body.importId)).toEqual({ status: "failed" });
    expect(eventsOf(body.importId)).toBe(10);
    expect(sent).toBeLessThan(chunks); // it stopped reading
  }, 60_000);

  it("answers 405 to GET and other methods, with Allow: POST", async () => {
    const t = await issue();
    for (const method of ["GET", "PUT", "DELETE"]) {
      const res = await push({ token: t.token, method, body: method === "GET" ? null : "x" });
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("POST");
    }
    expect((await request(API)).status).toBe(405);
  });
});
