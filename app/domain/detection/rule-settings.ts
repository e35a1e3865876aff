// Per-rule thresholds on the Settings page (issue 7 point 1): each rule's defaults are its module's; a
// saved value overrides one key. Durations (keys ending in "Ms") are edited in seconds.

import { z } from "zod";
import { ALL_RULES } from "./all-rules";
import type { RuleId, RuleModule } from "./types";

export const MAX_DURATION_SECONDS = 400 * 86_400;
export const MAX_COUNT = 1_000_000;
/** Keys that may be 0 (an edit distance); every other count is at least 1. */
const ZERO_ALLOWED = new Set(["typoMaxDistance", "maxEdits"]);

export const isDuration = (key: string) => key.endsWith("Ms");

export function ruleModule(rule: string): RuleModule | null {
  return ALL_RULES.find((m) => m.id === rule) ?? null;
}

/** A person's name for a threshold key: "sweepDistinctPaths" → "sweep distinct paths (seconds)". */
export function thresholdLabel(key: string): string {
  const base = (isDuration(key) ? key.slice(0, -2) : key).replace(/([A-Z])/g, " $1").toLowerCase().trim();
  return isDuration(key) ? `${base} (seconds)` : base;
}

/** The form's value for a key: durations in seconds. */
export function toFormValue(key: string, value: number): number {
  return isDuration(key) ? value / 1000 : value;
}

/** The zod schema of one rule's form: every key of its defaults, as form strings; output in the engine's units (ms). */
export function ruleSettingsSchema(module: RuleModule) {
  const shape: Record<string, z.ZodType<number>> = {};
  for (const key of Object.keys(module.defaults)) {
    const min = isDuration(key) ? 1 : ZERO_ALLOWED.has(key) ? 0 : 1;
    const max = isDuration(key) ? MAX_DURATION_SECONDS : ZERO_ALLOWED.has(key) ? 10 : MAX_COUNT;
    shape[key] = z.preprocess(
      (v) => (typeof v === "string" ? v.trim() : v),
      z
        .string({ error: "Enter a number" })
        .min(1, "Enter a number")
        .regex(/^\d+$/, "Enter a whole number")
        .transform(Number)
        .pipe(z.number().min(min, `At least ${min}`).max(max, `At most ${max.toLocaleString("en-GB")}`))
        .transform((n) => (isDuration(key) ? n * 1000 : n)),
    ) as unknown as z.ZodType<number>;
  }
  return z.object(shape);
}

/** Only the keys that differ from the defaults are stored. */
export function overridesOf(module: RuleModule, values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) if (k in module.defaults && module.defaults[k] !== v) out[k] = v;
  return out;
}

export type RuleSettingsView = { rule: RuleId; description: string; fields: { key: string; label: string; value: number; defaultValue: number; overridden: boolean }[] };

export function ruleSettingsView(stored: Partial<Record<string, Record<string, number>>>): RuleSettingsView[] {
  return ALL_RULES.map((m) => ({
    rule: m.id,
    description: m.description,
    fields: Object.entries(m.defaults).map(([key, d]) => {
      const v = stored[m.id]?.[key] ?? d;
      return { key, label: thresholdLabel(key), value: toFormValue(key, v), defaultValue: toFormValue(key, d), overridden: v !== d };
    }),
  }));
}
