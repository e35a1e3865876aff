import { describe, expect, it } from "vitest";
import { auditHash, canonicalJson, GENESIS_HASH, verifyChain, type AuditContent, type AuditRow } from "~/domain/audit-chain";

function content(i: number, overrides: Partial<AuditContent> = {}): AuditContent {
  return {
    at: Date.UTC(2026, 3, 1, 12, 0, i),
    actorId: "u1",
    actorEmail: "vm@example.test",
    action: "org.created",
    targetType: "org",
    targetId: `org-${i}`,
    orgId: null,
    details: canonicalJson({ n: i }),
    ip: "198.51.100.7",
    ...overrides,
  };
}

/** A well-formed chain of n rows, ids 1..n. */
function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const c = content(id);
    const hash = auditHash(id, c, prev);
    rows.push({ ...c, id, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe("auditHash", () => {
  it("is deterministic and a 64-char hex SHA-256", () => {
    const a = auditHash(7, content(7), GENESIS_HASH);
    expect(a).toBe(auditHash(7, { ...content(7) }, GENESIS_HASH));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes with the id, any content field, and the previous hash", () => {
    const base = auditHash(1, content(1), GENESIS_HASH);
    expect(auditHash(2, content(1), GENESIS_HASH)).not.toBe(base);
    expect(auditHash(1, content(1, { details: '{"n":2}' }), GENESIS_HASH)).not.toBe(base);
    expect(auditHash(1, content(1, { ip: null }), GENESIS_HASH)).not.toBe(base);
    expect(auditHash(1, content(1, { actorEmail: "other@example.test" }), GENESIS_HASH)).not.toBe(base);
    expect(auditHash(1, content(1), "f".repeat(64))).not.toBe(base);
  });
});

describe("verifyChain", () => {
  it("accepts a good chain and counts its rows", () => {
    expect(verifyChain(chain(5))).toEqual({ ok: true, checked: 5 });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0 });
  });

  it("names an edited row", () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], details: '{"n":999}' };
    const res = verifyChain(rows);
    expect(res).toMatchObject({ ok: false, badRowId: 3, checked: 2 });
    expect(!res.ok && res.reason).toMatch(/edited/);
  });

  it("catches an edited row whose hash was recomputed, at the next row's link", () => {
    const rows = chain(4);
    const forged = { ...rows[1], actorEmail: "someone-else@example.test" };
    forged.hash = auditHash(forged.id, forged, forged.prevHash);
    rows[1] = forged;
    expect(verifyChain(rows)).toMatchObject({ ok: false, badRowId: 3 });
  });

  it("catches a deleted middle row at the row after it", () => {
    const rows = chain(5);
    rows.splice(2, 1); // drop id 3
    const res = verifyChain(rows);
    expect(res).toMatchObject({ ok: false, badRowId: 4, checked: 2 });
    expect(!res.ok && res.reason).toMatch(/previous-hash/);
  });

  it("catches a deleted first row (the chain no longer starts at genesis)", () => {
    const rows = chain(3).slice(1);
    expect(verifyChain(rows)).toMatchObject({ ok: false, badRowId: 2, checked: 0 });
  });

  it("continues from a given previous hash", () => {
    const rows = chain(4);
    expect(verifyChain(rows.slice(2), rows[1].hash)).toEqual({ ok: true, checked: 2 });
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it("orders keys by code unit, not locale (upper case before lower case)", () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });

  it("drops undefined values and answers null for nothing", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson(undefined)).toBe("null");
  });
});
