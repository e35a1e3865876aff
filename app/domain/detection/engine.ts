// The detection engine (pure): runs every rule module on each event of an import, in order, with the
// rule's own thresholds (defaults merged with overrides from settings). A rule that throws does not stop
// the others: its error is caught, counted per rule and reported with the event's result.
// Persistence (flags, baselines) is app/models/detection.server.ts.

import { ALL_RULES } from "./all-rules";
import { NO_FINDINGS, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleId, type RuleModule } from "./types";

/** What the caller provides per import; the engine adds each rule's `settings`. */
export type EngineContext = Omit<RuleContext, "settings">;

export type SettingsOverrides = Partial<Record<RuleId, Readonly<Record<string, number>>>>;

export type RuleError = { rule: RuleId; message: string };

export type ObserveResult = { findings: Finding[]; errors: RuleError[] };

/** A rule's errors so far: how many, and the latest message. */
export type RuleErrorCount = { rule: RuleId; count: number; lastMessage: string };

export type Engine = {
  readonly rules: readonly RuleId[];
  /** Run every rule on one event (events in time order, give or take). */
  observe(event: DetectionEvent, ctx: EngineContext): ObserveResult;
  /** Errors caught so far, per rule (with the latest message). */
  errorCounts(): RuleErrorCount[];
};

/** Defaults merged with overrides; only keys the rule knows, only finite numbers. */
export function mergeSettings(module: RuleModule, overrides?: Readonly<Record<string, number>>): Readonly<Record<string, number>> {
  const out: Record<string, number> = { ...module.defaults };
  if (overrides) for (const [k, v] of Object.entries(overrides)) if (k in module.defaults && Number.isFinite(v)) out[k] = v;
  return Object.freeze(out);
}

export function createEngine(modules: readonly RuleModule[] = ALL_RULES, settingsOverrides: SettingsOverrides = {}): Engine {
  const running: { rule: Rule; settings: Readonly<Record<string, number>> }[] = modules.map((m) => ({ rule: m.create(), settings: mergeSettings(m, settingsOverrides[m.id]) }));
  const errors = new Map<RuleId, Omit<RuleErrorCount, "rule">>();
  // One RuleContext per rule, rebuilt only when the caller passes another context object.
  let lastBase: EngineContext | null = null;
  let contexts: RuleContext[] = [];
  const NO_ERRORS = Object.freeze([]) as unknown as RuleError[];
  const QUIET: ObserveResult = Object.freeze({ findings: NO_FINDINGS, errors: NO_ERRORS });
  const rules = running.map((r) => r.rule);

  return {
    rules: running.map((r) => r.rule.id),
    observe(event, base) {
      if (base !== lastBase) {
        lastBase = base;
        contexts = running.map((r) => ({ catalog: base.catalog, credential: base.credential, baseline: base.baseline, isRegisteredKey: base.isRegisteredKey, settings: r.settings }));
      }
      // Most events raise nothing: the findings array is allocated on the first finding only.
      let findings = NO_FINDINGS;
      let errs = NO_ERRORS;
      for (let i = 0; i < running.length; i++) {
        const rule = rules[i];
        try {
          const out = rule.observe(event, contexts[i]);
          if (out.length === 0) continue;
          if (findings === NO_FINDINGS) findings = [];
          for (let j = 0; j < out.length; j++) findings.push(out[j]);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const e = errors.get(rule.id);
          if (e) {
            e.count++;
            e.lastMessage = message;
          } else errors.set(rule.id, { count: 1, lastMessage: message });
          if (errs === NO_ERRORS) errs = [];
          errs.push({ rule: rule.id, message });
        }
      }
      // A quiet event allocates nothing: the shared empty result is frozen.
      return findings === NO_FINDINGS && errs === NO_ERRORS ? QUIET : { findings, errors: errs };
    },
    errorCounts: () => [...errors].map(([rule, e]) => ({ rule, ...e })),
  };
}
