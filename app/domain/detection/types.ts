// The contract between the detection rules (pure, one module per rule in app/domain/detection/) and the
// engine that feeds them (issue 7). A rule sees the ordered event stream of one import, one event at a
// time, plus read-only context (catalog, the credential behind the event, baselines persisted between
// imports) and returns findings. It keeps its own window state per credential / per source IP while an
// import runs; state that must survive between imports goes through `baseline` (read) and the
// `BaselineUpdate`s it returns (written by the engine).

import type { RuleSpaces } from "./subject-space";

export type Severity = "info" | "low" | "medium" | "high" | "critical";
export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const RULE_IDS = [
  "unreleased_model",
  "unknown_model",
  "out_of_grant",
  "revoked_credential_use",
  "error_burst",
  "ip_probe",
  "path_enumeration",
  "pattern_guessing",
  "new_source",
  "credential_sharing",
  "scanner_user_agent",
  "dormant_reactivated",
  "recon_then_use",
  "rate_burst",
  "secret_in_logs",
  "unregistered_credential",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** One gateway event as the rules see it (a subset of the stored row). */
export type DetectionEvent = {
  ts: number; // epoch ms; events arrive in file order, which is time order give or take
  keyRef: string | null;
  credentialId: string | null;
  srcIp: string | null;
  userAgent: string | null; // null: the format logs none; "": the client sent none
  method: string;
  path: string;
  endpoint: string | null; // catalog endpoint name, null when the path matched none
  model: string | null; // resolved model name (alias → name), or the unknown name as logged
  status: number;
  /** Field names of secret material stripped from this event's line, if any. */
  secretsStripped?: readonly string[];
};

export type CatalogModel = { name: string; status: "ga" | "restricted" | "unreleased" | "retired"; aliases: readonly string[] };

/** What the rules may know about the credential behind an event. */
export type CredentialFacts = {
  id: string;
  orgId: string;
  status: "active" | "suspended" | "revoked" | "expired";
  issuedAt: number;
  expiresAt: number | null;
  grantModels: readonly string[]; // names or "@ga"
  grantEndpoints: readonly string[]; // names or "*"
  /**
   * When the credential left "active" (revoked, suspended or expired), if known: a use before that
   * moment (an old log imported late) was legitimate at the time.
   */
  statusChangedAt?: number | null;
  /** When the event's keyRef is a rotated-away key of this credential: when its grace period ends. */
  rotatedKeyGraceEndsAt?: number | null;
};

/** Baselines persisted between imports, per credential. */
export type CredentialBaseline = {
  lastUsedAt: number | null; // before this import
  firstSeenAt: number | null; // first event ever seen
  knownIps: readonly string[]; // source IPs seen in the history window (10 days)
  knownPrefixes: readonly string[]; // their /24s
  modelsUsed: readonly string[]; // models successfully called before
  ratePerMinuteP99: number | null; // requests per minute, 99th percentile of past minutes
};

export type RuleContext = {
  catalog: readonly CatalogModel[];
  credential(id: string): CredentialFacts | null;
  baseline(credentialId: string): CredentialBaseline | null;
  /** Was this key reference ever registered (current or rotated key id / fingerprint)? */
  isRegisteredKey(keyRef: string): boolean;
  settings: Readonly<Record<string, number>>; // the rule's own thresholds, already merged with defaults
};

export type Finding = {
  rule: RuleId;
  severity: Severity;
  /** Who the finding is about: the credential, the source IP, or both. */
  credentialId: string | null;
  srcIp: string | null;
  keyRef: string | null;
  ts: number;
  /** One sentence a person can read: what happened, against which threshold or baseline. */
  summary: string;
  /** The events behind it (a bounded sample the engine stores with the flag). */
  sample: { ts: number; method: string; path: string; status: number; srcIp: string | null; userAgent: string | null }[];
  /** The window a repeat firing for the same subject updates the same flag in (ms). */
  windowMs: number;
};

export type Rule = {
  id: RuleId;
  /** Called for every event, in order. Returns zero or more findings. */
  observe(event: DetectionEvent, ctx: RuleContext): Finding[];
};

/** A rule module exports its defaults and a factory; the factory makes fresh window state per import. */
export type RuleModule = {
  id: RuleId;
  description: string;
  defaults: Readonly<Record<string, number>>;
  /** `spaces`: the per-subject state the engine's rules share (a rule created without them keeps its own). */
  create(spaces?: RuleSpaces): Rule;
  /**
   * All of the rule's state is per credential, or all of it per source address: its subjects are the
   * event's credential (or address), or, for an event without one, something no event with one is keyed
   * by (its key reference, say), and nothing it keeps across subjects depends on the order of events. The
   * engine may then run it over a batch grouped by credential (or address), each group in event order
   * (engine.ts). Without it, the rule sees each batch in its order.
   */
  stateBy?: "credential" | "address";
};

/** What a rule returns for an event that raises nothing: one shared, frozen empty array (no allocation per event). */
export const NO_FINDINGS: Finding[] = Object.freeze([]) as unknown as Finding[];

export function sampleOf(e: DetectionEvent) {
  return { ts: e.ts, method: e.method, path: e.path, status: e.status, srcIp: e.srcIp, userAgent: e.userAgent };
}
