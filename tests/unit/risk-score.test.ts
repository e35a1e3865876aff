import { describe, expect, it } from "vitest";
import { explainLine, riskLevel, riskScore, type RiskInputs } from "~/domain/risk-score";

const clean: RiskInputs = {
  liveCredentials: 4,
  overdueRotations: 0,
  neverUsed: 0,
  unused: 0,
  outsideSecretsManager: 0,
  sharedWithContractors: 0,
  attestation: "current",
  openGaps: 0,
  openFlags: {},
  kind: "partner",
  contractors: 0,
};

describe("riskScore", () => {
  it("scores a clean partner 0 with no lines", () => {
    expect(riskScore(clean)).toEqual({ score: 0, level: "low", lines: [] });
  });

  it("explains each finding with its points, as the org page shows it", () => {
    const r = riskScore({ ...clean, overdueRotations: 3 });
    expect(r.score).toBe(15);
    expect(r.lines.map(explainLine)).toEqual(["+15: 3 credentials overdue for rotation"]);
  });

  it("uses the singular for one finding", () => {
    expect(riskScore({ ...clean, neverUsed: 1 }).lines.map(explainLine)).toEqual(["+2: 1 credential never used"]);
  });

  it("caps each factor and says so", () => {
    const r = riskScore({ ...clean, overdueRotations: 9 });
    expect(r.lines[0]).toMatchObject({ factor: "overdue_rotation", points: 25 });
    expect(r.lines[0].text).toContain("capped at 25");
  });

  it("weighs attestation state: overdue > missing > due soon > current", () => {
    const pts = (attestation: RiskInputs["attestation"]) => riskScore({ ...clean, attestation }).score;
    expect(pts("overdue")).toBe(20);
    expect(pts("missing")).toBe(15);
    expect(pts("due_soon")).toBe(5);
    expect(pts("current")).toBe(0);
    expect(riskScore({ ...clean, attestation: "missing" }).lines[0].text).toBe("no attestation on record");
  });

  it("counts open gaps, storage, sharing and unused credentials", () => {
    const r = riskScore({ ...clean, openGaps: 2, outsideSecretsManager: 2, sharedWithContractors: 1, unused: 3 });
    // Ties keep the table's order: unused, storage, then gaps.
    expect(r.lines.map(explainLine)).toEqual([
      "+6: 3 credentials unused past the policy's threshold",
      "+6: 2 credentials stored outside a secrets manager",
      "+6: 2 open attestation gaps",
      "+4: 1 credential shared with contractors",
    ]);
    expect(r.score).toBe(22);
  });

  it("weighs flags by severity and ignores info", () => {
    const r = riskScore({ ...clean, openFlags: { critical: 1, high: 2, medium: 1, low: 5, info: 40 } });
    expect(Object.fromEntries(r.lines.map((l) => [l.factor, l.points]))).toEqual({ flags_critical: 15, flags_high: 16, flags_medium: 3, flags_low: 3 });
    expect(r.score).toBe(37);
  });

  it("adds the contractor chain: a contractor holds access at second hand, a partner per sponsored contractor", () => {
    expect(riskScore({ ...clean, kind: "contractor" }).score).toBe(5);
    expect(riskScore({ ...clean, contractors: 3 }).lines.map(explainLine)).toEqual(["+6: 3 sponsored contractors in the chain"]);
    expect(riskScore({ ...clean, contractors: 30 }).score).toBe(10);
  });

  it("sorts lines largest first and caps the total at 100", () => {
    const r = riskScore({
      ...clean,
      overdueRotations: 10,
      neverUsed: 10,
      unused: 10,
      outsideSecretsManager: 10,
      sharedWithContractors: 10,
      attestation: "overdue",
      openGaps: 10,
      openFlags: { critical: 3 },
    });
    expect(r.score).toBe(100);
    expect(r.level).toBe("critical");
    const points = r.lines.map((l) => l.points);
    expect(points).toEqual([...points].sort((a, b) => b - a));
    expect(points.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  });

  it("maps scores to levels at the boundaries", () => {
    expect([0, 24, 25, 49, 50, 74, 75, 100].map(riskLevel)).toEqual(["low", "low", "medium", "medium", "high", "high", "critical", "critical"]);
  });
});
