// Detection's rules that need nothing but the events, the catalog and the set of registered keys, run
// in the parse worker when a large file is parsed there, alongside the main thread's inserts: a second
// core for detection instead of all of it after the inserts on one (issue 7's cost target). On one
// thread (small inputs), the main thread's detector runs every rule.
// The rules that need the inventory's facts or the baselines between imports run on the main thread
// (app/models/detection.server.ts); each rule runs on exactly one side. Findings travel with their
// batch, by event index, and are written in the batch's transaction only for the events it stored, so
// flags still commit with the events that raised them and a re-import raises nothing.

import { ALL_RULES } from "./all-rules";
import { createEngine, type IndexedFinding, type RuleErrorCount, type SettingsOverrides } from "./engine";
import type { CatalogModel, DetectionEvent, RuleId, RuleModule } from "./types";

/**
 * Rules run by the parse stage. Any rule that asks the context for no credential facts or baseline may
 * be here (tests/unit/detection/stage-detection.test.ts; a rule that does ask is reported as a rule
 * error). Set by measurement (`bench-import --detect`, README "Detection's cost"): the worker keeps
 * pattern_guessing, the costliest rule, and the main thread runs the other fifteen beside its inserts.
 * With detection on, both threads are busy throughout; moving path_enumeration to the worker as well
 * measured no different (2026-11-30, interleaved rounds).
 */
export const STAGE_RULES: readonly RuleId[] = ["pattern_guessing"];

/** What the import hands the parse stage (structured-cloneable: it crosses into the worker). */
export type StageDetection = { rules: readonly RuleId[]; overrides: SettingsOverrides; catalog: CatalogModel[] };

/** A finding of the stage's rules for the batch's event at `index`. */
export type StageFinding = IndexedFinding;

export type StageDetector = {
  /** Runs the stage's rules on the event that will be the batch's `index`-th. */
  observe(event: DetectionEvent, index: number): void;
  /** The findings since the last take (the batch's), in event order. */
  take(): StageFinding[];
  errorCounts(): RuleErrorCount[];
};

export function stageModules(rules: readonly RuleId[]): RuleModule[] {
  return ALL_RULES.filter((m) => rules.includes(m.id));
}

/** The other rules: those the import's thread runs when the stage runs `rules`. */
export function threadModules(rules: readonly RuleId[]): RuleModule[] {
  return ALL_RULES.filter((m) => !rules.includes(m.id));
}

export function createStageDetector(detection: StageDetection, isRegisteredKey: (keyRef: string) => boolean): StageDetector {
  const engine = createEngine(stageModules(detection.rules), detection.overrides);
  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available where the import parses`);
  };
  const ctx = { catalog: detection.catalog, credential: unavailable("a credential's facts"), baseline: unavailable("a credential's baseline"), isRegisteredKey };
  let findings: StageFinding[] = [];
  return {
    observe(event, index) {
      const out = engine.observe(event, ctx).findings;
      for (let i = 0; i < out.length; i++) findings.push({ index, finding: out[i] });
    },
    take() {
      const f = findings;
      findings = [];
      return f;
    },
    errorCounts: () => engine.errorCounts(),
  };
}
