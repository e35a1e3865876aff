import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { createHardenedHandler, type HardenedHandler } from "../../app/http.server";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { twoFactors } from "../../db/schema-account";
import { totpCode } from "../../app/domain/two-factor";

// The built app (npm test runs `remix build` first) through the same handler the server uses.
const ORIGIN = "http://keyward.test";
let handler: HardenedHandler | undefined;

async function getHandler() {
  if (!handler) {
    const build = (await import(pathToFileURL(path.resolve(__dirname, "../../build/index.js")).href)) as ServerBuild;
    handler = createHardenedHandler(build, "test");
  }
  return handler;
}

export type Req = {
  method?: string;
  form?: Record<string, string | string[]>;
  /** A raw body (bytes, a multipart FormData, a stream) instead of a url-encoded form. */
  body?: BodyInit | ReadableStream<Uint8Array> | null;
  cookie?: string;
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
};

export async function request(pathname: string, opts: Req = {}) {
  const method = opts.method ?? (opts.form || opts.body != null ? "POST" : "GET");
  const headers = new Headers(opts.headers);
  headers.set("Host", new URL(ORIGIN).host);
  if (opts.cookie) headers.set("Cookie", opts.cookie);
  if (method !== "GET" && opts.origin !== null) headers.set("Origin", opts.origin ?? ORIGIN);
  let body: BodyInit | ReadableStream<Uint8Array> | undefined = opts.body ?? undefined;
  if (opts.body instanceof FormData) {
    // Encode as a browser would, so the multipart boundary is in the Content-Type.
    const encoded = new Response(opts.body);
    headers.set("Content-Type", encoded.headers.get("Content-Type")!);
    body = await encoded.arrayBuffer();
  }
  if (opts.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
    body = params;
    headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  const h = await getHandler();
  const init: RequestInit & { duplex?: "half" } = { method, headers, body: method === "GET" ? undefined : body, redirect: "manual" };
  if (body instanceof ReadableStream) init.duplex = "half";
  return h(new Request(new URL(pathname, ORIGIN), init), { ip: opts.ip ?? "198.51.100.7" });
}

/**
 * Signs in through the real login form, and its second step when the user has a second factor (the
 * code computed from the stored secret); returns the session cookie ("name=value"). A code works once
 * per 30-second step, so to sign the same user in several times in a row the helper forgets the last
 * accepted step first (the replay guard itself is tested in tests/routes/two-factor.test.ts).
 */
export async function login(email: string, password: string, ip?: string) {
  const res = await request("/login", { form: { email, password }, ip });
  const set = res.headers.get("Set-Cookie");
  if (res.status !== 302 || !set) throw new Error(`login failed for ${email}: ${res.status} ${await res.text()}`);
  if (res.headers.get("Location") !== "/login/two-factor") return set.split(";")[0];
  const pending = set.split(";")[0];
  const code = resetAndComputeTotp(email);
  const second = await request("/login/two-factor", { form: { code }, cookie: pending, ip });
  const session = second.headers.getSetCookie().find((c) => c.startsWith("keyward_session="));
  if (second.status !== 302 || !session) throw new Error(`second factor failed for ${email}: ${second.status} ${await second.text()}`);
  return session.split(";")[0];
}

/** The current TOTP code of a user (by email), after clearing the replay guard's last step. */
export function resetAndComputeTotp(email: string): string {
  const db = getDb();
  const user = db.select({ id: users.id }).from(users).where(eq(users.email, email.toLowerCase())).get();
  const row = user ? db.select().from(twoFactors).where(eq(twoFactors.userId, user.id)).get() : undefined;
  if (!user || !row) throw new Error(`${email} has no second factor`);
  db.update(twoFactors).set({ lastStep: null }).where(eq(twoFactors.userId, user.id)).run();
  return totpCode(row.secret);
}
