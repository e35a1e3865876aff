import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createHardenedHandler, type HardenedHandler } from "../../app/http.server";

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

/** Signs in through the real login form; returns the session cookie ("name=value"). */
export async function login(email: string, password: string, ip?: string) {
  const res = await request("/login", { form: { email, password }, ip });
  const set = res.headers.get("Set-Cookie");
  if (res.status !== 302 || !set) throw new Error(`login failed for ${email}: ${res.status} ${await res.text()}`);
  return set.split(";")[0];
}
