import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { detectionPolicy, detectionRuleSettings } from "../../db/schema-triage";
import type { ActionContext } from "~/domain/actor";
import type { SettingsOverrides } from "~/domain/detection/engine";
import { overridesOf, ruleModule } from "~/domain/detection/rule-settings";
import type { RuleId } from "~/domain/detection/types";
import { writeAudit } from "./audit.server";

// Detection settings (issue 7 points 1 and 5): per-rule thresholds that override the rules' defaults
// (the engine reads them at the start of each import) and the containment policy (auto-suspend on a
// critical flag, off by default).

/** Saved overrides per rule (only keys that differ from the defaults). */
export function getRuleOverrides(): SettingsOverrides {
  const out: Record<string, Record<string, number>> = {};
  for (const r of getDb().select().from(detectionRuleSettings).all()) out[r.rule] = r.thresholds;
  return out as SettingsOverrides;
}

/** Saves one rule's thresholds (already validated, in the engine's units). */
export function saveRuleSettings(ctx: ActionContext, rule: RuleId, values: Record<string, number>) {
  const module = ruleModule(rule);
  if (!module) throw new Error(`unknown rule ${rule}`);
  const thresholds = overridesOf(module, values);
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    const before = tx.select().from(detectionRuleSettings).where(eq(detectionRuleSettings.rule, rule)).get()?.thresholds ?? {};
    if (Object.keys(thresholds).length === 0) tx.delete(detectionRuleSettings).where(eq(detectionRuleSettings.rule, rule)).run();
    else
      tx.insert(detectionRuleSettings)
        .values({ rule, thresholds, updatedById: ctx.actor?.id ?? null, updatedAt: now })
        .onConflictDoUpdate({ target: detectionRuleSettings.rule, set: { thresholds, updatedById: ctx.actor?.id ?? null, updatedAt: now } })
        .run();
    writeAudit(tx, ctx, { action: "detection.thresholds_changed", targetType: "detection_rule", targetId: rule, details: { before, after: thresholds } });
  });
}

export function getDetectionPolicy(): { autoSuspendCritical: boolean; updatedAt: Date | null } {
  const row = getDb().select().from(detectionPolicy).where(eq(detectionPolicy.id, 1)).get();
  return { autoSuspendCritical: row?.autoSuspendCritical ?? false, updatedAt: row?.updatedAt ?? null };
}

export function setAutoSuspendCritical(ctx: ActionContext, on: boolean) {
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    tx.insert(detectionPolicy)
      .values({ id: 1, autoSuspendCritical: on, updatedById: ctx.actor?.id ?? null, updatedAt: now })
      .onConflictDoUpdate({ target: detectionPolicy.id, set: { autoSuspendCritical: on, updatedById: ctx.actor?.id ?? null, updatedAt: now } })
      .run();
    writeAudit(tx, ctx, { action: on ? "detection.auto_suspend_enabled" : "detection.auto_suspend_disabled", targetType: "detection_policy", targetId: "1" });
  });
}
