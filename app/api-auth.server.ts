import { json } from "@remix-run/node";
import type { ActionContext } from "~/domain/actor";
import { signToken, verifyToken } from "./jwt.server";
import { API_TOKEN_AUDIENCE, createApiToken, getApiTokenForUse, tokenExpiry, type ApiTokenCreate, type ApiTokenScope } from "~/models/api-token.server";

// Bearer tokens for the API routes (/api/…): not cookie-authenticated, so no CSRF exposure (the Origin
// check in http.server.ts exempts /api/). A token is a jose JWT signed by Keyward's own key: ES256
// pinned, issuer, audience "keyward:api" and expiry checked by verifyToken(); then its row (jti) must
// exist, be unrevoked and unexpired, and both the token and its row must carry the scope asked for.

export type ApiTokenIdentity = { id: string; name: string; source: string; scope: string };

const REALM = 'realm="keyward"';
const MAX_TOKEN_CHARS = 4096;

function unauthorized(message: string, withError = true) {
  // RFC 6750 3.1: a request without any credentials gets the challenge but no error code.
  const challenge = withError ? `Bearer ${REALM}, error="invalid_token", error_description="${message}"` : `Bearer ${REALM}`;
  return json({ error: message, code: withError ? "invalid_token" : "missing_token" }, { status: 401, headers: { "WWW-Authenticate": challenge } });
}

function forbidden(scope: string) {
  const message = `This token does not have the ${scope} scope.`;
  return json({ error: message, code: "insufficient_scope" }, { status: 403, headers: { "WWW-Authenticate": `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"` } });
}

/**
 * The token named by the request's `Authorization: Bearer …` header, if it is valid and carries `scope`.
 * Throws a JSON Response otherwise: 401 (missing, malformed, bad signature or algorithm, another
 * audience, expired, revoked, unknown) or 403 (valid, but without the scope).
 */
export async function requireApiToken(request: Request, scope: ApiTokenScope, now = new Date()): Promise<ApiTokenIdentity> {
  const header = request.headers.get("Authorization");
  if (!header || header.trim() === "") throw unauthorized("Send the API token in an Authorization: Bearer header.", false);
  const match = /^Bearer +([A-Za-z0-9_.-]+)\s*$/i.exec(header);
  if (!match || match[1].length > MAX_TOKEN_CHARS) throw unauthorized("The Authorization header must be Bearer followed by a Keyward API token.");
  const payload = await verifyToken(match[1], API_TOKEN_AUDIENCE);
  if (!payload || typeof payload.jti !== "string") throw unauthorized("The token is invalid or expired.");
  const row = getApiTokenForUse(payload.jti);
  if (!row || (row.createdById !== null && payload.sub !== row.createdById)) throw unauthorized("The token is invalid or expired.");
  if (row.revokedAt) throw unauthorized("The token has been revoked.");
  if (row.expiresAt.getTime() <= now.getTime()) throw unauthorized("The token has expired.");
  const claimed = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
  if (!claimed.includes(scope) || !row.scope.split(" ").includes(scope)) throw forbidden(scope);
  return { id: row.id, name: row.name, source: row.source, scope: row.scope };
}

/**
 * Issues a token: records its row (audited) and returns the signed JWT, to be shown once. The JWT's jti
 * is the row id, its subject the user who made it; the row never holds the token itself.
 */
export async function issueApiToken(ctx: ActionContext, input: ApiTokenCreate) {
  if (!ctx.actor) throw new Error("issueApiToken needs a signed-in actor");
  const id = crypto.randomUUID();
  const expiresAt = tokenExpiry(ctx.now ?? new Date(), input.expiresInDays);
  // Signed before the row is written: if signing fails nothing is recorded; a token is useless without its row.
  const token = await signToken({ scope: input.scope }, { audience: API_TOKEN_AUDIENCE, subject: ctx.actor.id, jti: id, expiresAt });
  const row = createApiToken(ctx, { ...input, id, expiresAt });
  return { ...row, token };
}
