// The detection engine (pure): runs every rule module on each event of an import, with the rule's own
// thresholds (defaults merged with overrides from settings). A rule that throws does not stop the others:
// its error is caught, counted per rule and reported with the event's result.
//
// observeBatch runs a batch of events grouped. The rules whose state is all per credential
// (`stateBy: "credential"`) see the batch grouped by credential, each credential's events in their
// order: a credential's state then stays in the processor's cache for its events instead of being fetched
// again for each (in a batch of 25,000 events, 400 credentials have about 60 each). The rules whose state
// is all per source address see it grouped by address; any other rule sees the batch in its order. The
// findings come back in event order, and within an event in rule order, as one pass in order would give
// them. Measured on the benchmark's 1M-line import, with the events also made in grouped order
// (event-batch.ts): the import with detection went from 10.3-10.8 s to 6.4-7.2 s in most rounds (README,
// "Detection's cost").
// Persistence (flags, baselines) is app/models/detection.server.ts.

import { ALL_RULES } from "./all-rules";
import { createRuleSpaces } from "./subject-space";
import { NO_FINDINGS, type DetectionEvent, type Finding, type Rule, type RuleContext, type RuleId, type RuleModule } from "./types";

/** What the caller provides per import; the engine adds each rule's `settings`. */
export type EngineContext = Omit<RuleContext, "settings">;

export type SettingsOverrides = Partial<Record<RuleId, Readonly<Record<string, number>>>>;

export type RuleError = { rule: RuleId; message: string };

export type ObserveResult = { findings: Finding[]; errors: RuleError[] };

/** A finding of a batch's event at `index`. */
export type IndexedFinding = { index: number; finding: Finding };

export type BatchResult = { findings: IndexedFinding[]; errors: RuleError[] };

/** A rule's errors so far: how many, and the latest message. */
export type RuleErrorCount = { rule: RuleId; count: number; lastMessage: string };

export type Engine = {
  readonly rules: readonly RuleId[];
  /** Run every rule on one event (events in time order, give or take). */
  observe(event: DetectionEvent, ctx: EngineContext): ObserveResult;
  /**
   * Run every rule on a batch of events, grouped as above. `order`: the events' indices in event order
   * (time order, give or take), when the array is not in it (an array already grouped by credential, each
   * credential's events in event order, as the import hands them over); findings come back in that order.
   * `prepare` is called before the rules see an event (the caller's context may depend on it).
   */
  observeBatch(events: readonly DetectionEvent[], ctx: EngineContext, prepare?: (event: DetectionEvent) => void, order?: ArrayLike<number>): BatchResult;
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
  // One slot per credential and per source address for every rule's state: found once per event.
  const spaces = createRuleSpaces();
  const running: { rule: Rule; settings: Readonly<Record<string, number>> }[] = modules.map((m) => ({ rule: m.create(spaces), settings: mergeSettings(m, settingsOverrides[m.id]) }));
  const errors = new Map<RuleId, Omit<RuleErrorCount, "rule">>();
  // One RuleContext per rule, rebuilt only when the caller passes another context object.
  let lastBase: EngineContext | null = null;
  let contexts: RuleContext[] = [];
  const contextsFor = (base: EngineContext) => {
    if (base !== lastBase) {
      lastBase = base;
      contexts = running.map((r) => ({ catalog: base.catalog, credential: base.credential, baseline: base.baseline, isRegisteredKey: base.isRegisteredKey, settings: r.settings }));
    }
    return contexts;
  };
  const NO_ERRORS = Object.freeze([]) as unknown as RuleError[];
  const QUIET: ObserveResult = Object.freeze({ findings: NO_FINDINGS, errors: NO_ERRORS });
  const rules = running.map((r) => r.rule);
  const all = rules.map((_, i) => i);
  // The passes over a batch: the rules grouped by credential, those grouped by address, the rest in order.
  // A credential's events are in event order in the array (in event order, or grouped by credential).
  // `rank`: each index's place in event order (null: the array is in event order).
  type Groups = (events: readonly DetectionEvent[], order: ArrayLike<number>, rank: Int32Array | null) => ArrayLike<number>[];
  const kinds: { rules: number[]; groups: Groups }[] = [
    { rules: all.filter((i) => modules[i].stateBy === "credential"), groups: (events) => groupBy(events, credentialOf) },
    { rules: all.filter((i) => modules[i].stateBy === "address"), groups: (events, _, rank) => inEventOrder(groupBy(events, addressOf), rank) },
    { rules: all.filter((i) => modules[i].stateBy === undefined), groups: (_, order) => [order] },
  ];
  const passes = kinds.filter((p) => p.rules.length > 0);

  /** Counts a rule's error; the error as the result reports it. */
  function failed(rule: Rule, error: unknown): RuleError {
    const message = error instanceof Error ? error.message : String(error);
    const e = errors.get(rule.id);
    if (e) {
      e.count++;
      e.lastMessage = message;
    } else errors.set(rule.id, { count: 1, lastMessage: message });
    return { rule: rule.id, message };
  }

  /** Runs the rules at `which` on one event; findings and errors go to `sink` (with the rule's index). */
  function run(event: DetectionEvent, ctxs: RuleContext[], which: readonly number[], sink: (rule: number, finding: Finding | null, error: RuleError | null) => void) {
    for (let k = 0; k < which.length; k++) {
      const i = which[k];
      try {
        const out = rules[i].observe(event, ctxs[i]);
        for (let j = 0; j < out.length; j++) sink(i, out[j], null);
      } catch (error) {
        sink(i, null, failed(rules[i], error));
      }
    }
  }

  return {
    rules: running.map((r) => r.rule.id),
    observe(event, base) {
      const ctxs = contextsFor(base);
      // Most events raise nothing: the findings array is allocated on the first finding only.
      let findings = NO_FINDINGS;
      let errs = NO_ERRORS;
      for (let i = 0; i < rules.length; i++) {
        try {
          const out = rules[i].observe(event, ctxs[i]);
          if (out.length === 0) continue;
          if (findings === NO_FINDINGS) findings = [];
          for (let j = 0; j < out.length; j++) findings.push(out[j]);
        } catch (error) {
          if (errs === NO_ERRORS) errs = [];
          errs.push(failed(rules[i], error));
        }
      }
      // A quiet event allocates nothing: the shared empty result is frozen.
      return findings === NO_FINDINGS && errs === NO_ERRORS ? QUIET : { findings, errors: errs };
    },
    observeBatch(events, base, prepare, given) {
      const order = given ?? identity(events.length);
      let rank: Int32Array | null = null;
      if (given !== undefined) {
        rank = new Int32Array(events.length);
        for (let k = 0; k < given.length; k++) rank[given[k]] = k;
      }
      const ctxs = contextsFor(base);
      const found: { index: number; rule: number; finding: Finding }[] = [];
      const errs: RuleError[] = [];
      let index = 0;
      const sink = (rule: number, f: Finding | null, e: RuleError | null) => {
        if (f !== null) found.push({ index, rule, finding: f });
        if (e !== null) errs.push(e);
      };
      // The stores' sweeps may not pass the batch's earliest event: a later group's events may be earlier than the last one seen.
      let earliest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < events.length; i++) if (events[i].ts < earliest) earliest = events[i].ts;
      spaces.limit.ts = earliest;
      try {
        for (const pass of passes) {
          for (const group of pass.groups(events, order, rank)) {
            for (let g = 0; g < group.length; g++) {
              index = group[g];
              prepare?.(events[index]);
              run(events[index], ctxs, pass.rules, sink);
            }
          }
        }
      } finally {
        spaces.limit.ts = Number.POSITIVE_INFINITY;
      }
      // In event order, then rule order, as one pass in order would have found them.
      if (found.length > 1) found.sort(rank === null ? (a, b) => a.index - b.index || a.rule - b.rule : (a, b) => rank[a.index] - rank[b.index] || a.rule - b.rule);
      return { findings: found.map((f) => ({ index: f.index, finding: f.finding })), errors: errs };
    },
    errorCounts: () => [...errors].map(([rule, e]) => ({ rule, ...e })),
  };
}

const credentialOf = (e: DetectionEvent) => e.credentialId;
const addressOf = (e: DetectionEvent) => (e.srcIp === "" ? null : e.srcIp);

const identity = (n: number) => {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
};

/**
 * Indices of the events grouped by `key` (groups in order of first appearance), each group in array order;
 * events without a key form one group.
 */
export function groupBy(events: readonly DetectionEvent[], key: (e: DetectionEvent) => string | null): number[][] {
  const groups = new Map<string | null, number[]>();
  let lastKey: string | null | undefined;
  let last: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const k = key(events[i]);
    if (k !== lastKey) {
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = []));
      last = g;
      lastKey = k;
    }
    last.push(i);
  }
  return [...groups.values()];
}

/**
 * Each group's indices in event order (`rank`: each index's place in it; null: the array's order is event
 * order). Grouping the array first and sorting a group only when it is out of order is cheaper than
 * visiting the events in event order: the array is grouped by credential, and an address mostly serves
 * one credential, so most groups come out in order already.
 */
function inEventOrder(groups: number[][], rank: Int32Array | null): number[][] {
  if (rank === null) return groups;
  for (const g of groups) {
    for (let j = 1; j < g.length; j++) {
      if (rank[g[j]] < rank[g[j - 1]]) {
        g.sort((a, b) => rank[a] - rank[b]);
        break;
      }
    }
  }
  return groups;
}
