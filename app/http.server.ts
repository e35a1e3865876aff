import { randomBytes, randomUUID } from "node:crypto";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { isSafeMethod, isSameOrigin } from "~/domain/origin";

/**
 * Wraps Remix's request handler with what every response needs, in one place shared by the server
 * (scripts/serve.ts) and the route tests: a request id, a per-request CSP nonce, the CSRF Origin check
 * on every non-GET request, and the security headers.
 */

declare module "@remix-run/node" {
  interface AppLoadContext {
    cspNonce: string;
    requestId: string;
    clientIp: string | null;
  }
}

/** Bearer-token APIs are not cookie-authenticated and so are exempt from the Origin check. */
const TOKEN_API_PREFIX = "/api/";

export function contentSecurityPolicy(nonce: string, dev: boolean) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function applySecurityHeaders(headers: Headers, nonce: string, opts: { production: boolean; requestId: string }) {
  headers.set("Content-Security-Policy", contentSecurityPolicy(nonce, !opts.production));
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "same-origin");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  headers.set("X-Request-Id", opts.requestId);
  if (opts.production) headers.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
}

export type HardenedHandler = (request: Request, client: { ip: string | null }) => Promise<Response>;

export function createHardenedHandler(build: ServerBuild, mode: "production" | "development" | "test"): HardenedHandler {
  const remix = createRequestHandler(build, mode);
  const production = mode === "production";
  return async (request, client) => {
    const requestId = randomUUID();
    const cspNonce = randomBytes(16).toString("base64");
    const url = new URL(request.url);
    let response: Response;
    if (!isSafeMethod(request.method) && !url.pathname.startsWith(TOKEN_API_PREFIX) && !isSameOrigin(request.headers.get("Origin"), request.headers.get("Host") ?? url.host)) {
      response = new Response("Cross-origin request refused: this form must be sent from the Keyward site itself.", {
        status: 403,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    } else {
      response = await remix(request, { cspNonce, requestId, clientIp: client.ip });
    }
    // Responses from fetch() can have immutable headers; copy when needed.
    try {
      applySecurityHeaders(response.headers, cspNonce, { production, requestId });
    } catch {
      response = new Response(response.body, response);
      applySecurityHeaders(response.headers, cspNonce, { production, requestId });
    }
    return response;
  };
}
