import { and, asc, desc, eq, gt, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb, type DbOrTx } from "../../db/client";
import { auditHead, auditLog, organizations } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { auditHash, canonicalJson, GENESIS_HASH, verifyChain, type AuditRow, type ChainResult } from "~/domain/audit-chain";
import { scopeFor, scopeWhere } from "./scope.server";
import { blankToUndefined } from "~/domain/form-errors";


export type AuditEntry = {
  action: string;
  targetType: string;
  targetId?: string | null;
  orgId?: string | null;
  details?: Record<string, unknown>;
};

/**
 * Appends one hash-chained row. Call it inside the mutation's transaction (synchronous), so the change
 * and its audit entry commit or roll back together.
 */
export function writeAudit(tx: DbOrTx, ctx: ActionContext, entry: AuditEntry) {
  const head = tx.select().from(auditHead).where(eq(auditHead.id, 1)).get();
  const id = (head?.lastId ?? 0) + 1;
  const prevHash = head?.lastHash ?? GENESIS_HASH;
  const content = {
    at: (ctx.now ?? new Date()).getTime(),
    actorId: ctx.actor?.id ?? null,
    actorEmail: ctx.actor?.email ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    orgId: entry.orgId ?? null,
    details: canonicalJson(entry.details ?? {}),
    ip: ctx.ip,
  };
  const hash = auditHash(id, content, prevHash);
  tx.insert(auditLog)
    .values({ id, ...content, at: new Date(content.at), prevHash, hash })
    .run();
  tx.insert(auditHead)
    .values({ id: 1, lastId: id, lastHash: hash })
    .onConflictDoUpdate({ target: auditHead.id, set: { lastId: id, lastHash: hash } })
    .run();
}

const text = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max, `At most ${max} characters`).optional());
const day = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "Not a real date")
    .optional(),
);

/** The audit page's query string; every field optional, blanks ignored. */
export const AuditFilterSchema = z
  .object({
    actor: text(254),
    action: text(80),
    target: text(120),
    from: day,
    to: day,
    before: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "The start date is after the end date", path: ["to"] });
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/**
 * Newest first, keyset-paginated by id (`before`): a page costs the same however deep it is.
 * Internal readers see every row; the audit page is internal-only (permission read:audit:any), and the
 * tenant scope still applies to anyone else, in the query, as everywhere.
 */
export function listAudit(actor: Actor, filter: AuditFilter, pageSize = 50) {
  const db = getDb();
  const conds: (SQL | undefined)[] = [scopeWhere(scopeFor(actor), auditLog.orgId)];
  if (filter.actor) conds.push(likeEscaped(sql`coalesce(${auditLog.actorEmail}, 'system')`, `%${escapeLike(filter.actor)}%`));
  if (filter.action) conds.push(likeEscaped(sql`${auditLog.action}`, `${escapeLike(filter.action)}%`));
  if (filter.target) conds.push(likeEscaped(sql`(${auditLog.targetType} || ':' || coalesce(${auditLog.targetId}, ''))`, `%${escapeLike(filter.target)}%`));
  if (filter.from) conds.push(gte(auditLog.at, new Date(`${filter.from}T00:00:00.000Z`)));
  if (filter.to) conds.push(lte(auditLog.at, new Date(`${filter.to}T23:59:59.999Z`)));
  if (filter.before) conds.push(lt(auditLog.id, filter.before));
  const rows = db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorEmail: auditLog.actorEmail,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      orgId: auditLog.orgId,
      orgSlug: organizations.slug,
      details: auditLog.details,
      ip: auditLog.ip,
    })
    .from(auditLog)
    .leftJoin(organizations, eq(organizations.id, auditLog.orgId))
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(pageSize + 1)
    .all();
  const hasMore = rows.length > pageSize;
  const page = rows.slice(0, pageSize);
  return { rows: page, nextBefore: hasMore ? page[page.length - 1].id : null };
}

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// drizzle's like() has no ESCAPE clause; without one the backslashes above would be literal.
function likeEscaped(expr: SQL, pattern: string): SQL {
  return sql`${expr} like ${pattern} escape '\\'`;
}

export function listAuditActions(): string[] {
  const db = getDb();
  return db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.action)).all().map((r) => r.action);
}

/**
 * Verifies the whole chain in id order, page by page (memory stays flat), then checks the stored head:
 * an edited row fails its hash, a deleted row leaves a gap in the ids (named by the row after it), a
 * deleted first row leaves the chain not starting at genesis, deleted newest rows leave the chain
 * shorter than its head. Cost is linear in the log's length (about a second per few hundred thousand
 * rows); callers that show it on every page view should cache it if the log grows large.
 */
export function verifyAuditChain(): ChainResult {
  const db = getDb();
  const pageSize = 5000;
  let after = 0;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const page = db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(pageSize).all();
    if (page.length === 0) break;
    const gapAt = page.findIndex((r, i) => r.id !== after + i + 1);
    const rows: AuditRow[] = (gapAt === -1 ? page : page.slice(0, gapAt)).map((r) => ({ ...r, at: r.at.getTime() }));
    const result = verifyChain(rows, prevHash);
    if (!result.ok) return { ...result, checked: checked + result.checked };
    checked += result.checked;
    if (gapAt !== -1) {
      const missing = after + gapAt + 1;
      const bad = page[gapAt];
      const gone = bad.id - missing === 1 ? `row ${missing} is missing` : `rows ${missing}–${bad.id - 1} are missing`;
      return { ok: false, checked, badRowId: bad.id, reason: `${gone} (deleted); the chain breaks before this row` };
    }
    prevHash = rows[rows.length - 1].hash;
    after = page[page.length - 1].id;
  }
  const head = db.select().from(auditHead).where(eq(auditHead.id, 1)).get();
  const headId = head?.lastId ?? 0;
  if (headId !== after || (head && head.lastHash !== prevHash)) {
    return headId > after
      ? { ok: false, checked, badRowId: headId, reason: `the newest rows were deleted: the chain ends at row ${after} but its recorded head is row ${headId}` }
      : { ok: false, checked, badRowId: after, reason: "the chain's newest row does not match its recorded head (rows added or edited outside the portal)" };
  }
  return { ok: true, checked };
}

/**
 * One object's history, newest first (e.g. a credential's timeline: targetType "credential", its id).
 * No tenant filter here: the caller has already found the target within the actor's scope.
 */
export function listAuditForTarget(targetType: string, targetId: string, limit = 200) {
  const db = getDb();
  return db
    .select({ id: auditLog.id, at: auditLog.at, actorEmail: auditLog.actorEmail, action: auditLog.action, details: auditLog.details, ip: auditLog.ip })
    .from(auditLog)
    .where(and(eq(auditLog.targetType, targetType), eq(auditLog.targetId, targetId)))
    .orderBy(desc(auditLog.id))
    .limit(limit)
    .all();
}
