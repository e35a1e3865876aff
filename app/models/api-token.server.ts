import { and, count, desc, eq, isNull } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import { getDb } from "../../db/client";
import { apiTokens, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { writeAudit } from "./audit.server";
import { scopeFor } from "./scope.server";
import { blankToUndefined } from "~/domain/form-errors";
import { pageWindow } from "~/domain/pagination";

// Push API tokens (issue 6 point 3c): rows naming the JWTs that security issues on /settings/tokens.
// The token itself (a jose ES256 JWT whose jti is the row's id) is signed in app/api-auth.server.ts,
// shown once and never stored: a row holds only what is needed to list, check and revoke it.

/** The JWT audience of API tokens: an invitation link (another audience) is never accepted as one. */
export const API_TOKEN_AUDIENCE = "keyward:api";
export const API_TOKEN_SCOPES = ["logs:write"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
export const DEFAULT_TOKEN_DAYS = 90;
/** The push API's limit per request (raw body bytes, counted as they stream in); shown on the tokens page. */
export const PUSH_MAX_BYTES = 50 * 1024 * 1024;
export const MAX_TOKEN_DAYS = 365;
const DAY_MS = 86_400_000;


/** The import source name pushed logs are filed under (the Imports page groups and resumes by it). */
export const SourceNameSchema = z
  .string({ error: "Enter a source name" })
  .trim()
  .min(1, "Enter a source name")
  .max(80, "At most 80 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "Use letters, digits, dots, dashes, underscores and colons only, such as gateway-eu");

export const ApiTokenCreateSchema = z.object({
  name: z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(80, "At most 80 characters"),
  source: SourceNameSchema,
  scope: z.preprocess(blankToUndefined, z.enum(API_TOKEN_SCOPES, { error: "The only scope for now is logs:write" }).default("logs:write")),
  expiresInDays: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "Enter a number of days" })
      .int("Enter a whole number of days")
      .min(1, "At least 1 day")
      .max(MAX_TOKEN_DAYS, `At most ${MAX_TOKEN_DAYS} days`)
      .default(DEFAULT_TOKEN_DAYS),
  ),
});
export type ApiTokenCreate = z.infer<typeof ApiTokenCreateSchema>;

export const TokenListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export type ApiTokenStatus = "active" | "expired" | "revoked";

export function apiTokenStatus(t: { revokedAt: Date | null; expiresAt: Date }, now: Date): ApiTokenStatus {
  if (t.revokedAt) return "revoked";
  return t.expiresAt.getTime() <= now.getTime() ? "expired" : "active";
}

/** When a token made now for `days` days expires. */
export function tokenExpiry(now: Date, days: number): Date {
  return new Date(now.getTime() + days * DAY_MS);
}

/** Tokens are internal: anyone whose scope is not every organisation sees none (the route's permission refuses them first). */
function internalOnly(actor: Actor) {
  return scopeFor(actor).all;
}

/** Every token, newest first, with who made and revoked it and its status at `now`. */
export function listApiTokens(actor: Actor, query: z.infer<typeof TokenListQuerySchema> = {}, now = new Date(), pageSize = 25) {
  if (!internalOnly(actor)) return { rows: [], total: 0, page: 1, pageCount: 1 };
  const db = getDb();
  const creator = alias(users, "creator");
  const revoker = alias(users, "revoker");
  const total = db.select({ n: count() }).from(apiTokens).get()?.n ?? 0;
  const { page, pageCount } = pageWindow(total, query.page ?? 1, pageSize);
  const rows = db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      source: apiTokens.source,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      createdByName: creator.name,
      createdByEmail: creator.email,
      revokedByName: revoker.name,
    })
    .from(apiTokens)
    .leftJoin(creator, eq(creator.id, apiTokens.createdById))
    .leftJoin(revoker, eq(revoker.id, apiTokens.revokedById))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { rows: rows.map((r) => ({ ...r, status: apiTokenStatus(r, now) })), total, page, pageCount };
}

/**
 * Records a token about to be handed out (the caller signs the JWT with `id` as its jti): row and
 * audit entry in one transaction. The token itself is not passed in, so it cannot be stored.
 */
export function createApiToken(ctx: ActionContext, input: ApiTokenCreate & { id: string; expiresAt: Date }) {
  if (!ctx.actor) throw new Error("createApiToken needs a signed-in actor");
  const actor = ctx.actor;
  const createdAt = ctx.now ?? new Date();
  return getDb().transaction((tx) => {
    tx.insert(apiTokens).values({ id: input.id, name: input.name, scope: input.scope, source: input.source, createdById: actor.id, createdAt, expiresAt: input.expiresAt }).run();
    writeAudit(tx, ctx, {
      action: "token.created",
      targetType: "api_token",
      targetId: input.id,
      details: { name: input.name, scope: input.scope, source: input.source, expiresAt: input.expiresAt.toISOString() },
    });
    return { id: input.id, name: input.name, scope: input.scope, source: input.source, expiresAt: input.expiresAt };
  });
}

/** Revokes a token: null when there is none with this id; `alreadyRevoked` (nothing written) when it was. */
export function revokeApiToken(ctx: ActionContext, id: string): { name: string; alreadyRevoked: boolean } | null {
  if (!ctx.actor) throw new Error("revokeApiToken needs a signed-in actor");
  const actor = ctx.actor;
  if (!internalOnly(actor)) return null;
  const now = ctx.now ?? new Date();
  return getDb().transaction((tx) => {
    const row = tx.select({ id: apiTokens.id, name: apiTokens.name, revokedAt: apiTokens.revokedAt, source: apiTokens.source }).from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) return null;
    if (row.revokedAt) return { name: row.name, alreadyRevoked: true };
    tx.update(apiTokens)
      .set({ revokedAt: now, revokedById: actor.id })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .run();
    writeAudit(tx, ctx, { action: "token.revoked", targetType: "api_token", targetId: id, details: { name: row.name, source: row.source } });
    return { name: row.name, alreadyRevoked: false };
  });
}

/** The row a verified JWT names (by its jti), for the push API's checks; null when there is none. */
export function getApiTokenForUse(id: string) {
  return (
    getDb()
      .select({ id: apiTokens.id, name: apiTokens.name, scope: apiTokens.scope, source: apiTokens.source, createdById: apiTokens.createdById, expiresAt: apiTokens.expiresAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(eq(apiTokens.id, id))
      .get() ?? null
  );
}

/**
 * After a push: moves the token's last use forward and audits the push (actor: none; the token's id and
 * name in the details, with the import it produced and how it ended).
 */
export function recordApiTokenUse(
  ctx: ActionContext,
  token: { id: string; name: string },
  push: { importId: string | null; source: string; outcome: "imported" | "rejected" | "too_large"; status: number; parsed?: number; duplicates?: number; error?: string },
) {
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    tx.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, token.id)).run();
    writeAudit(tx, ctx, {
      action: "logs.pushed",
      targetType: "api_token",
      targetId: token.id,
      details: { tokenId: token.id, tokenName: token.name, ...push },
    });
  });
}
