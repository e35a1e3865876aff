import { describe, expect, it } from "vitest";
import { describeEndpoints, describeModels, EntitlementsSchema, InventoryQuerySchema, inventoryQueryInput } from "~/domain/credential";

const parse = (qs: string) => InventoryQuerySchema.parse(inventoryQueryInput(new URLSearchParams(qs)));

describe("the inventory query string", () => {
  it("defaults to key id ascending, no filters", () => {
    expect(parse("")).toEqual({ org: undefined, tier: undefined, status: undefined, model: undefined, flag: [], sort: "keyId", dir: "asc", page: undefined });
  });
  it("keeps valid values and repeated flags, deduplicated", () => {
    expect(parse("org=acme&tier=restricted&status=suspended&model=atlas-2&flag=overdue&flag=shared&flag=overdue&sort=rotationDue&dir=desc&page=3")).toEqual({
      org: "acme",
      tier: "restricted",
      status: "suspended",
      model: "atlas-2",
      flag: ["overdue", "shared"],
      sort: "rotationDue",
      dir: "desc",
      page: 3,
    });
  });
  it("ignores what it does not recognise instead of failing (only whitelisted sorts reach SQL)", () => {
    expect(parse("tier=gold&status=zombie&flag=everything&sort=label;drop&dir=up&page=abc&org=")).toMatchObject({ tier: undefined, status: undefined, flag: [], sort: "keyId", dir: "asc", page: undefined, org: undefined });
  });
});

describe("entitlements form and wording", () => {
  it("accepts one value, several, or none, sorted and deduplicated", () => {
    expect(EntitlementsSchema.parse({ models: "@ga", endpoints: ["messages", "*", "messages"] })).toEqual({ models: ["@ga"], endpoints: ["*", "messages"] });
    expect(EntitlementsSchema.parse({})).toEqual({ models: [], endpoints: [] });
  });
  it("describes grants in words", () => {
    expect(describeModels(["@ga", "mythos-preview"])).toBe("every GA model, mythos-preview");
    expect(describeEndpoints(["*"])).toBe("every endpoint");
    expect(describeModels([])).toBe("none");
  });
});
