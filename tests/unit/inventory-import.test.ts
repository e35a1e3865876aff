import { describe, expect, it } from "vitest";
import {
  countPlan,
  describeRejection,
  documentFromCsv,
  documentFromJson,
  parseInstant,
  splitList,
  validateInventory,
  type CredentialState,
  type InventorySnapshot,
  type NumberedDocument,
} from "~/domain/inventory-import";

const NOW = new Date("2026-11-24T12:00:00.000Z");

/** A stored world: the catalog, a partner with a contractor, a second partner, one user and one credential. */
function snapshot(overrides: Partial<InventorySnapshot> = {}): InventorySnapshot {
  const stored: CredentialState & { id: string } = {
    id: "cred-1",
    keyId: "north-live-0001",
    org: "north",
    label: "Chat backend",
    holderEmail: null,
    holderService: "chat-backend",
    grantModels: ["atlas-2"],
    grantEndpoints: ["*"],
    environment: "production",
    storage: "secrets_manager",
    status: "active",
    issuedAt: new Date("2026-06-01T00:00:00.000Z"),
    expiresAt: null,
    lastRotatedAt: null,
    revokedAt: null,
    revokedReason: null,
    fingerprint: null,
    sharedWith: [],
    lastUsedAt: new Date("2026-11-20T00:00:00.000Z"),
    lastUsedIp: "198.51.100.1",
    lastUsedUserAgent: "curl/8.5.0",
  };
  return {
    models: [
      { id: "m1", name: "atlas-2", status: "ga", aliases: ["atlas-latest"], description: null },
      { id: "m2", name: "atlas-2-mini", status: "ga", aliases: [], description: null },
      { id: "m3", name: "mythos-preview", status: "restricted", aliases: ["mythos"], description: null },
    ],
    endpoints: [
      { id: "e1", name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" },
      { id: "e2", name: "models-list", methods: ["GET"], pathTemplate: "/v1/models" },
    ],
    organizations: [
      { id: "o1", slug: "north", name: "North", kind: "partner", parent: null, tier: "standard", status: "active", agreementStart: null, agreementEnd: null, contactEmail: null, entitlements: { models: ["@ga"], endpoints: ["*"] } },
      { id: "o2", slug: "north-sub", name: "North Sub", kind: "contractor", parent: "north", tier: "standard", status: "active", agreementStart: null, agreementEnd: null, contactEmail: null, entitlements: { models: ["atlas-2"], endpoints: ["messages"] } },
      { id: "o3", slug: "south", name: "South", kind: "partner", parent: null, tier: "restricted", status: "active", agreementStart: null, agreementEnd: null, contactEmail: null, entitlements: { models: ["@ga", "mythos-preview"], endpoints: ["*"] } },
    ],
    users: [{ id: "u1", email: "ann@north.example", name: "Ann", org: "north", role: "partner_admin", status: "active" }],
    credentials: [stored],
    retiredKeyIds: ["north-old-0000"],
    ...overrides,
  };
}

const doc = (d: Partial<Record<keyof NumberedDocument, unknown[]>>): NumberedDocument => {
  const r = documentFromJson(d);
  if (!r.ok) throw new Error(r.error);
  return r.doc;
};

describe("reading files into numbered rows", () => {
  it("numbers JSON rows from 1 within each list and ignores unknown top-level keys", () => {
    const r = documentFromJson({ credentials: [{ keyId: "a" }, { keyId: "b" }], users: [{ email: "x@y.z" }], exportedBy: "someone" });
    expect(r.ok && r.doc.credentials.map((x) => x.row)).toEqual([1, 2]);
    expect(r.ok && r.doc.users.map((x) => x.row)).toEqual([1]);
  });

  it("refuses a JSON value that is not an object of lists", () => {
    expect(documentFromJson([1, 2])).toMatchObject({ ok: false, error: expect.stringMatching(/one JSON object/) });
    expect(documentFromJson({ credentials: { keyId: "a" } })).toMatchObject({ ok: false, error: '"credentials" must be a list' });
    expect(documentFromJson({ something: [] })).toMatchObject({ ok: false, error: expect.stringMatching(/nothing to import/) });
  });

  it("numbers CSV rows as a spreadsheet does (header is row 1), skips blank rows, matches headers loosely", () => {
    const r = documentFromCsv([
      ["Key ID", "org", "grant", "Notes"],
      ["k-000001", "north", "atlas-2;atlas-2-mini", "first"],
      ["", "", "", ""],
      ["k-000002", "north", "@ga", ""],
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.credentials.map((x) => x.row)).toEqual([2, 4]);
    expect(r.doc.credentials[0].value).toEqual({ keyId: "k-000001", org: "north", grant: "atlas-2;atlas-2-mini" });
    expect(r.ignoredColumns).toEqual(["Notes"]);
  });

  it("refuses a CSV without a keyId column or with a column named twice", () => {
    expect(documentFromCsv([["org", "grant"]])).toMatchObject({ ok: false, error: expect.stringMatching(/no keyId column/) });
    expect(documentFromCsv([["keyId", "org", "key_id"]])).toMatchObject({ ok: false, error: expect.stringMatching(/keyId twice/) });
  });

  it("splits lists on ; or | and drops blanks and repeats", () => {
    expect(splitList("atlas-2; atlas-2-mini|mythos-preview;;atlas-2")).toEqual(["atlas-2", "atlas-2-mini", "mythos-preview"]);
    expect(splitList(["a", " a ", "b"])).toEqual(["a", "b"]);
  });

  it("reads ISO dates and date-times, and refuses impossible or vague ones", () => {
    expect(parseInstant("2026-01-31")?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(parseInstant("2026-01-31T09:30:00Z")?.toISOString()).toBe("2026-01-31T09:30:00.000Z");
    expect(parseInstant("2026-01-31T09:30:00+02:00")?.toISOString()).toBe("2026-01-31T07:30:00.000Z");
    for (const bad of ["2026-02-30", "2026-13-01", "31/01/2026", "yesterday", "2026-02-30T10:00:00Z", "2026-01-31T09:30:00"]) expect(parseInstant(bad), bad).toBeNull();
  });
});

describe("validating an inventory", () => {
  it("plans creates for new rows, with defaults, and counts them", () => {
    const { plan, rejected } = validateInventory(
      doc({
        organizations: [
          { slug: "east", name: "East Ltd", entitlements: ["@ga"] },
          { slug: "east-sub", name: "East Sub", parent: "east", entitlements: { models: ["atlas-2", "atlas-2-mini"], endpoints: ["*"] } },
        ],
        users: [{ email: "Bo@East.example", org: "east", role: "partner_member" }],
        credentials: [{ keyId: "east-live-0001", org: "east", grant: "atlas-2|atlas-2-mini", holder: "bo@east.example", sharedWith: ["east-sub"], unknownKey: "ignored" }],
      }),
      snapshot(),
      NOW,
    );
    expect(rejected).toEqual([]);
    expect(countPlan(plan)).toMatchObject({ organizations: { created: 2, updated: 0 }, users: { created: 1 }, credentials: { created: 1 } });
    expect(plan.organizations[1].next).toMatchObject({ kind: "contractor", parent: "east", tier: "standard", status: "active" });
    expect(plan.users[0].next).toEqual({ email: "bo@east.example", name: "bo", org: "east", role: "partner_member" });
    expect(plan.credentials[0].next).toMatchObject({
      label: "east-live-0001",
      holderEmail: "bo@east.example",
      grantModels: ["atlas-2", "atlas-2-mini"],
      grantEndpoints: ["*"],
      storage: "other",
      status: "active",
      issuedAt: NOW,
      sharedWith: ["east-sub"],
    });
  });

  it("refuses to share a credential with a contractor not entitled to its grant", () => {
    const { rejected } = validateInventory(doc({ credentials: [{ keyId: "north-share-2", org: "north", grant: ["atlas-2", "atlas-2-mini"], sharedWith: ["north-sub"] }] }), snapshot(), NOW);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toMatch(/north-sub: the contractor is not entitled to atlas-2-mini/);
  });

  it("reports every bad row with its row number and reason, and keeps checking after the first", () => {
    const { rejected } = validateInventory(
      doc({
        organizations: [
          { slug: "sub-of-sub", name: "Sub of sub", parent: "north-sub" },
          { slug: "wide-sub", name: "Wide sub", parent: "north", entitlements: ["@ga", "mythos-preview"] },
        ],
        credentials: [
          { keyId: "good-key-0001", org: "north", grant: ["atlas-2"] },
          { keyId: "nowhere-0001", org: "nowhere", grant: ["atlas-2"] },
          { keyId: "north-wide-01", org: "north", grant: ["mythos-preview"] },
          { keyId: "north-share-1", org: "north", grant: ["atlas-2"], sharedWith: ["south"] },
          { keyId: "north-date-01", org: "north", grant: ["atlas-2"], issuedAt: "2026-02-30" },
          { keyId: "good-key-0001", org: "north", grant: ["atlas-2"] },
          { keyId: "north-exp-001", org: "north", grant: ["atlas-2"], issuedAt: "2026-05-01", expiresAt: "2026-04-01" },
          { keyId: "north-old-0000", org: "north", grant: ["atlas-2"] },
          { keyId: "north-hold-01", org: "north", grant: ["atlas-2"], holder: "someone@else.example" },
        ],
      }),
      snapshot(),
      NOW,
    );
    const at = (section: string, row: number) => rejected.filter((r) => r.section === section && r.row === row).map((r) => r.reason);
    expect(at("organizations", 1)).toEqual([expect.stringMatching(/parent north-sub is not a partner/)]);
    expect(at("organizations", 2)).toEqual([expect.stringMatching(/within its sponsor north's; outside them: mythos-preview/)]);
    expect(at("credentials", 1)).toEqual([]);
    expect(at("credentials", 2)).toEqual(["unknown organisation nowhere"]);
    expect(at("credentials", 3)).toEqual(["grant outside north's entitlements: mythos-preview"]);
    expect(at("credentials", 4)).toEqual(["sharedWith south is not a contractor sponsored by north"]);
    expect(at("credentials", 5)).toEqual([expect.stringMatching(/^issuedAt: Use an ISO date/)]);
    expect(at("credentials", 6)).toEqual(["duplicate keyId good-key-0001: it already appears in row 1"]);
    expect(at("credentials", 7)).toEqual(["expiresAt (2026-04-01) must be after issuedAt (2026-05-01)"]);
    expect(at("credentials", 8)).toEqual([expect.stringMatching(/rotated out of use/)]);
    expect(at("credentials", 9)).toEqual([expect.stringMatching(/holder someone@else\.example is not a known user/)]);
    expect(rejected).toHaveLength(10);
    expect(describeRejection(rejected.find((r) => r.section === "credentials" && r.row === 3)!)).toBe("credentials row 3 (north-wide-01): grant outside north's entitlements: mythos-preview");
    expect(describeRejection({ section: "credentials", row: 7, key: "k", reason: "r" }, true)).toBe("row 7 (k): r");
  });

  it("names the field and the rule for schema errors, and what a new row lacks", () => {
    const { rejected } = validateInventory(
      doc({
        models: [{ name: "orion-x" }],
        users: [
          { email: "not-an-email", role: "partner_admin" },
          { email: "vm@keyward.example", role: "vendor_manager", org: "north" },
          { email: "new@north.example", org: "north" },
        ],
        credentials: [{ keyId: "north-new-001", org: "north" }, { keyId: "x", org: "north", grant: ["atlas-2"] }, { keyId: "north-st-0001", org: "north", grant: ["atlas-2"], storage: "usb_stick" }],
      }),
      snapshot(),
      NOW,
    );
    const reasons = rejected.map((r) => `${r.section}:${r.row}: ${r.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^models:1: status is required for a new model/),
      expect.stringMatching(/^users:1: email: Enter a valid email address/),
      "users:2: vendor_manager is an internal role: internal users have no org",
      expect.stringMatching(/^users:3: role is required for a new user/),
      "credentials:1: grant is required for a new credential (model names or @ga)",
      expect.stringMatching(/^credentials:2: keyId: A key id is 6–128/),
      expect.stringMatching(/^credentials:3: storage: one of secrets_manager, ci_secret, local_file, shared_drive, other/),
    ]);
  });

  it("plans nothing for rows that match what is stored, and only the changed fields otherwise", () => {
    const same = validateInventory(
      doc({ organizations: [{ slug: "north", name: "North", entitlements: ["@ga"] }], credentials: [{ keyId: "north-live-0001", org: "north", grant: ["atlas-2"], storage: "secrets_manager", issuedAt: "2026-06-01" }] }),
      snapshot(),
      NOW,
    );
    expect(same.rejected).toEqual([]);
    expect(countPlan(same.plan)).toMatchObject({ organizations: { created: 0, updated: 0, unchanged: 1 }, credentials: { created: 0, updated: 0, unchanged: 1 } });

    const changed = validateInventory(doc({ credentials: [{ keyId: "north-live-0001", label: "Chat backend (EU)", storage: "Shared drive", environment: " Production " }] }), snapshot(), NOW);
    expect(changed.plan.credentials[0].changes).toEqual({ label: { from: "Chat backend", to: "Chat backend (EU)" }, storage: { from: "secrets_manager", to: "shared_drive" } });
  });

  it("moves last use only forward, keeps revoked final, and refuses moving a credential between organisations", () => {
    const older = validateInventory(doc({ credentials: [{ keyId: "north-live-0001", lastUsedAt: "2026-10-01", lastUsedIp: "192.0.2.9" }] }), snapshot(), NOW);
    expect(older.plan.credentials[0].changes).toEqual({});
    const newer = validateInventory(doc({ credentials: [{ keyId: "north-live-0001", lastUsedAt: "2026-11-23T10:00:00Z", lastUsedIp: "192.0.2.9" }] }), snapshot(), NOW);
    expect(Object.keys(newer.plan.credentials[0].changes).sort()).toEqual(["lastUsedAt", "lastUsedIp", "lastUsedUserAgent"]);

    const revoked = snapshot();
    revoked.credentials[0] = { ...revoked.credentials[0], status: "revoked", revokedAt: new Date("2026-11-01T00:00:00Z") };
    expect(validateInventory(doc({ credentials: [{ keyId: "north-live-0001", status: "active" }] }), revoked, NOW).rejected[0].reason).toMatch(/revoked, which is final/);
    expect(validateInventory(doc({ credentials: [{ keyId: "north-live-0001", org: "south" }] }), snapshot(), NOW).rejected[0].reason).toMatch(/cannot move to another organisation/);
    expect(validateInventory(doc({ credentials: [{ keyId: "north-live-0001", lastUsedAt: "2027-01-01" }] }), snapshot(), NOW).rejected[0].reason).toMatch(/in the future/);
  });

  it("refuses narrowing an organisation's entitlements below its contractors' or its live credentials' grants", () => {
    const { rejected } = validateInventory(doc({ organizations: [{ slug: "north", entitlements: ["atlas-2-mini"] }] }), snapshot(), NOW);
    expect(rejected.map((r) => r.row)).toEqual([1, 1]);
    expect(rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/would leave its contractor north-sub outside them \(atlas-2\)/),
      expect.stringMatching(/would leave credentials outside them: north-live-0001 \(atlas-2\)/),
    ]);
  });

  it("gives a contractor its sponsor's tier and refuses another one", () => {
    const ok = validateInventory(doc({ organizations: [{ slug: "south-sub", name: "South Sub", parent: "south", entitlements: ["mythos-preview"] }] }), snapshot(), NOW);
    expect(ok.rejected).toEqual([]);
    expect(ok.plan.organizations[0].next.tier).toBe("restricted");
    const bad = validateInventory(doc({ organizations: [{ slug: "south-sub", name: "South Sub", parent: "south", tier: "standard" }] }), snapshot(), NOW);
    expect(bad.rejected[0].reason).toBe("a contractor has its sponsor's tier: south is restricted, not standard");
  });
});
