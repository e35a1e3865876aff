import { and, desc, eq, gte, lt, lte, type SQL, like, sql, asc, gt } from "drizzle-orm";
import { getDb, type Db } from "../../db/client";
import { auditHead, auditLog } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { auditHash, canonicalJson, GENESIS_HASH, verifyChain, type AuditRow, type ChainResult } from "~/domain/audit-chain";
import { z } from "zod";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

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
export function writeAudit(tx: Tx, ctx: ActionContext, entry: AuditEntry) {
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

export const AuditFilterSchema = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(80).optional(),
  target: z.string().trim().max(120).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD").optional().or(z.literal("").transform(() => undefined)),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD").optional().or(z.literal("").transform(() => undefined)),
  before: z.coerce.number().int().positive().optional(),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/**
 * Newest first, keyset-paginated by id (`before`). Internal readers see every row; the audit page is
 * internal-only (permission read:audit:any).
 */
export function listAudit(_actor: Actor, filter: AuditFilter, pageSize = 50) {
  const db = getDb();
  const conds: (SQL | undefined)[] = [];
  if (filter.actor) conds.push(like(auditLog.actorEmail, `%${escapeLike(filter.actor)}%`));
  if (filter.action) conds.push(like(auditLog.action, `${escapeLike(filter.action)}%`));
  if (filter.target) conds.push(sql`(${auditLog.targetType} || ':' || coalesce(${auditLog.targetId}, '')) like ${`%${escapeLike(filter.target)}%`} escape '\\'`);
  if (filter.from) conds.push(gte(auditLog.at, new Date(`${filter.from}T00:00:00Z`)));
  if (filter.to) conds.push(lte(auditLog.at, new Date(`${filter.to}T23:59:59.999Z`)));
  if (filter.before) conds.push(lt(auditLog.id, filter.before));
  const rows = db
    .select()
    .from(auditLog)
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

export function listAuditActions(): string[] {
  const db = getDb();
  return db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.action)).all().map((r) => r.action);
}

/** Verifies the whole chain in id order, streaming rows in pages, then checks the stored head. */
export function verifyAuditChain(): ChainResult {
  const db = getDb();
  const pageSize = 5000;
  function* rows(): Generator<AuditRow> {
    let after = 0;
    let expectedId = 1;
    for (;;) {
      const page = db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(pageSize).all();
      if (page.length === 0) return;
      for (const r of page) {
        const row = { ...r, at: r.at.getTime() };
        if (r.id !== expectedId) {
          // A gap in ids: rows were deleted. Yield a row with a broken link so the verifier names it.
          yield { ...row, prevHash: `missing row ${expectedId}` };
          return;
        }
        expectedId++;
        yield row;
      }
      after = page[page.length - 1].id;
    }
  }
  const result = verifyChain(rows());
  if (!result.ok) return result;
  const head = db.select().from(auditHead).where(eq(auditHead.id, 1)).get();
  const last = db.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get();
  if ((head?.lastId ?? 0) !== (last?.id ?? 0) || (head && last && head.lastHash !== last.hash)) {
    return { ok: false, checked: result.checked, badRowId: head?.lastId ?? 0, reason: "the newest rows were deleted (the chain is shorter than its recorded head)" };
  }
  return result;
}
