// An organisation's risk score (issue 8): pure, deterministic, explained line by line.
//
// The score adds points for each finding, each finding capped so that one bad habit cannot hide the
// others, and the total capped at 100. Every line says what it counted ("+15: 3 credentials overdue
// for rotation"), so that the number can be argued with and acted on. Only live credentials (active or
// suspended, not expired) count towards credential hygiene: a revoked key carries no risk any more.
//
// | finding                                   | points each | cap |
// | ----------------------------------------- | ----------- | --- |
// | credential overdue for rotation           | 5           | 25  |
// | credential never used                     | 2           | 10  |
// | credential unused past the threshold      | 2           | 10  |
// | stored outside a secrets manager          | 3           | 15  |
// | shared with a contractor                  | 4           | 12  |
// | attestation overdue / missing / due soon  | 20 / 15 / 5 | –   |
// | open attestation gap                      | 3           | 12  |
// | open flag: critical / high / medium / low | 15 / 8 / 3 / 1 | 30 / 24 / 9 / 3 |
// | contractor: access held at second hand    | 5           | –   |
// | partner: each sponsored contractor        | 2           | 10  |
//
// Levels: low < 25 ≤ medium < 50 ≤ high < 75 ≤ critical.

export type AttestationState = "current" | "due_soon" | "overdue" | "missing";
export type FlagSeverity = "info" | "low" | "medium" | "high" | "critical";

export type RiskInputs = {
  /** Live credentials (active or suspended, unexpired). */
  liveCredentials: number;
  overdueRotations: number;
  neverUsed: number;
  /** Used before, but not within the tier's unused threshold. */
  unused: number;
  outsideSecretsManager: number;
  sharedWithContractors: number;
  attestation: AttestationState;
  openGaps: number;
  /** Open flags (open, acknowledged or escalated) by severity. */
  openFlags: Partial<Record<FlagSeverity, number>>;
  kind: "partner" | "contractor";
  /** For a partner: how many contractors it sponsors (any status but offboarded). */
  contractors: number;
};

export type RiskFactor =
  | "overdue_rotation"
  | "never_used"
  | "unused"
  | "outside_secrets_manager"
  | "shared_with_contractors"
  | "attestation"
  | "open_gaps"
  | "flags_critical"
  | "flags_high"
  | "flags_medium"
  | "flags_low"
  | "contractor_chain";

export type RiskLine = { factor: RiskFactor; points: number; text: string };
export type RiskLevel = "low" | "medium" | "high" | "critical";
export type RiskScore = { score: number; level: RiskLevel; lines: RiskLine[] };

export const RISK_MAX = 100;

/** Points per finding and the cap of each factor (see the table above). */
export const RISK_WEIGHTS = {
  overdue_rotation: { each: 5, cap: 25 },
  never_used: { each: 2, cap: 10 },
  unused: { each: 2, cap: 10 },
  outside_secrets_manager: { each: 3, cap: 15 },
  shared_with_contractors: { each: 4, cap: 12 },
  open_gaps: { each: 3, cap: 12 },
  flags_critical: { each: 15, cap: 30 },
  flags_high: { each: 8, cap: 24 },
  flags_medium: { each: 3, cap: 9 },
  flags_low: { each: 1, cap: 3 },
  contractors: { each: 2, cap: 10 },
} as const;

export const ATTESTATION_POINTS: Record<AttestationState, number> = { current: 0, due_soon: 5, missing: 15, overdue: 20 };
export const CONTRACTOR_POINTS = 5;

export const RISK_LEVELS: readonly { level: RiskLevel; from: number }[] = [
  { level: "critical", from: 75 },
  { level: "high", from: 50 },
  { level: "medium", from: 25 },
  { level: "low", from: 0 },
];

export function riskLevel(score: number): RiskLevel {
  return (RISK_LEVELS.find((l) => score >= l.from) ?? RISK_LEVELS[RISK_LEVELS.length - 1]).level;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function counted(factor: RiskFactor, n: number, w: { each: number; cap: number }, text: string): RiskLine | null {
  if (n <= 0) return null;
  const raw = n * w.each;
  const points = Math.min(raw, w.cap);
  return { factor, points, text: raw > w.cap ? `${text} (capped at ${w.cap})` : text };
}

const ATTESTATION_TEXT: Record<Exclude<AttestationState, "current">, string> = {
  overdue: "attestation overdue",
  missing: "no attestation on record",
  due_soon: "attestation due soon",
};

/** The score, its level and the lines that make it up (largest first; ties in table order). */
export function riskScore(i: RiskInputs): RiskScore {
  const W = RISK_WEIGHTS;
  const f = i.openFlags;
  const lines = [
    counted("overdue_rotation", i.overdueRotations, W.overdue_rotation, `${plural(i.overdueRotations, "credential")} overdue for rotation`),
    counted("never_used", i.neverUsed, W.never_used, `${plural(i.neverUsed, "credential")} never used`),
    counted("unused", i.unused, W.unused, `${plural(i.unused, "credential")} unused past the policy's threshold`),
    counted("outside_secrets_manager", i.outsideSecretsManager, W.outside_secrets_manager, `${plural(i.outsideSecretsManager, "credential")} stored outside a secrets manager`),
    counted("shared_with_contractors", i.sharedWithContractors, W.shared_with_contractors, `${plural(i.sharedWithContractors, "credential")} shared with contractors`),
    i.attestation === "current" ? null : { factor: "attestation" as const, points: ATTESTATION_POINTS[i.attestation], text: ATTESTATION_TEXT[i.attestation] },
    counted("open_gaps", i.openGaps, W.open_gaps, `${plural(i.openGaps, "open attestation gap")}`),
    counted("flags_critical", f.critical ?? 0, W.flags_critical, `${plural(f.critical ?? 0, "open critical flag")}`),
    counted("flags_high", f.high ?? 0, W.flags_high, `${plural(f.high ?? 0, "open high flag")}`),
    counted("flags_medium", f.medium ?? 0, W.flags_medium, `${plural(f.medium ?? 0, "open medium flag")}`),
    counted("flags_low", f.low ?? 0, W.flags_low, `${plural(f.low ?? 0, "open low flag")}`),
    i.kind === "contractor"
      ? { factor: "contractor_chain" as const, points: CONTRACTOR_POINTS, text: "a contractor: access held at second hand through its sponsor" }
      : counted("contractor_chain", i.contractors, W.contractors, `${plural(i.contractors, "sponsored contractor")} in the chain`),
  ].filter((l): l is RiskLine => l !== null && l.points > 0);
  const order = lines.map((l, idx) => ({ l, idx }));
  order.sort((a, b) => b.l.points - a.l.points || a.idx - b.idx);
  const sorted = order.map((o) => o.l);
  const score = Math.min(RISK_MAX, sorted.reduce((s, l) => s + l.points, 0));
  return { score, level: riskLevel(score), lines: sorted };
}

/** "+15: 3 credentials overdue for rotation". */
export function explainLine(l: RiskLine): string {
  return `+${l.points}: ${l.text}`;
}
