import { eq } from "drizzle-orm";
import { credentials } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import { addDays, isoDay, type Decision } from "~/domain/campaign";
import { snapshotItems } from "./campaign.server";
import type { DemoIds, DemoTx } from "./demo-seed-areas.server";

// The access reviews' demo (issue 5): a closed quarterly review with its report (kept, a few undecided
// kept at close), and the current one, recurring, with a partner first pass, half decided. Written
// directly inside the seed's single audited transaction; no credential is changed (the demo's
// inventory stays as seeded), keeps record the credential's last review.

type Decided = { decision: Decision; comment: string | null; outcome: string; firstPass?: Decision };

const KEEP: Decided = { decision: "keep", comment: null, outcome: "kept" };
const UNSURE: Decided = { decision: "unsure", comment: "Holder left the project? Asking the partner.", outcome: "escalated to Vera Martins" };

export function seedReviewsDemo(tx: DemoTx, ids: DemoIds) {
  const vm = ids.internalIds.get("vendor_manager")!;
  const sec = ids.internalIds.get("security");
  const today = isoDay(ids.now);

  // Last quarter: closed, every item kept or undecided-and-kept.
  const closedOpens = addDays(today, -95);
  const closedAt = new Date(ids.now.getTime() - 80 * 86_400_000);
  const closedId = crypto.randomUUID();
  tx.insert(campaigns)
    .values({ id: closedId, name: "Q3 2026 access review", seriesId: closedId, sequence: 1, opensOn: closedOpens, dueOn: addDays(closedOpens, 14), recurrenceDays: 90, mode: "full", undecidedRule: "keep", firstPass: false, ownerId: vm, status: "open", openedAt: new Date(`${closedOpens}T09:00:00Z`), createdAt: new Date(`${closedOpens}T09:00:00Z`) })
    .run();
  const closedRow = tx.select().from(campaigns).where(eq(campaigns.id, closedId)).get()!;
  // Snapshots are taken at the seed time (the demo's credentials carry current use); the closed review
  // only keeps the credentials that existed when it opened.
  const past = snapshotItems(tx, closedRow, ids.now);
  const openedAt = new Date(`${closedOpens}T09:00:00Z`);
  past.selected = past.selected.filter((it) => {
    const cred = tx.select({ issuedAt: credentials.issuedAt }).from(credentials).innerJoin(campaignItems, eq(campaignItems.credentialId, credentials.id)).where(eq(campaignItems.id, it.itemId)).get()!;
    if (cred.issuedAt.getTime() <= openedAt.getTime()) return true;
    tx.delete(campaignItems).where(eq(campaignItems.id, it.itemId)).run();
    return false;
  });
  past.selected.forEach((it, i) => {
    const decided = i % 9 === 8 ? null : KEEP;
    const at = new Date(`${addDays(closedOpens, 2 + (i % 10))}T10:00:00Z`);
    tx.update(campaignItems)
      .set(decided ? { decision: decided.decision, comment: i % 4 === 0 ? "Still used by the partner's batch pipeline." : null, decidedById: vm, decidedAt: at, outcome: decided.outcome } : { outcome: "kept at close (undecided)" })
      .where(eq(campaignItems.id, it.itemId))
      .run();
  });
  tx.update(campaigns).set({ status: "closed", closedAt, closedById: vm }).where(eq(campaigns.id, closedId)).run();

  // This quarter: the next of the series, open with a partner first pass, about half decided.
  const opens = addDays(today, -9);
  const openId = crypto.randomUUID();
  tx.insert(campaigns)
    .values({ id: openId, name: "Q4 2026 access review", seriesId: closedId, sequence: 2, opensOn: opens, dueOn: addDays(today, 5), recurrenceDays: 90, mode: "full", undecidedRule: "revoke", firstPass: true, ownerId: vm, status: "open", openedAt: new Date(`${opens}T09:00:00Z`), createdAt: new Date(`${opens}T09:00:00Z`) })
    .run();
  const openRow = tx.select().from(campaigns).where(eq(campaigns.id, openId)).get()!;
  const current = snapshotItems(tx, openRow, ids.now);
  current.selected.forEach((it, i) => {
    const at = new Date(`${addDays(opens, 1 + (i % 7))}T11:00:00Z`);
    const firstPass = i % 3 === 0 ? { firstPassDecision: "keep" as const, firstPassComment: "Needed for production traffic.", firstPassAt: at } : {};
    if (i % 2 === 1) {
      if (Object.keys(firstPass).length) tx.update(campaignItems).set(firstPass).where(eq(campaignItems.id, it.itemId)).run();
      return;
    }
    const d = i % 10 === 4 ? UNSURE : KEEP;
    tx.update(campaignItems)
      .set({ ...firstPass, decision: d.decision, comment: d.comment, decidedById: vm, decidedAt: at, outcome: d.outcome, ...(d.decision === "unsure" ? { escalatedAt: at } : {}) })
      .where(eq(campaignItems.id, it.itemId))
      .run();
    if (d.decision === "keep") {
      const cred = tx.select({ credentialId: campaignItems.credentialId }).from(campaignItems).where(eq(campaignItems.id, it.itemId)).get()!;
      tx.update(credentials).set({ lastReviewedAt: at }).where(eq(credentials.id, cred.credentialId)).run();
    }
  });
  // A few items handed to security for a second look.
  if (sec) for (const it of current.selected.filter((_, i) => i % 2 === 1).slice(0, 3)) tx.update(campaignItems).set({ reviewerId: sec }).where(eq(campaignItems.id, it.itemId)).run();
}
