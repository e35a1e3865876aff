import { describe, expect, it } from "vitest";
import { EndpointSchema, ModelSchema, namesModel, parseAliases } from "~/domain/catalog";
import { fieldErrors } from "~/domain/form-errors";
import { PolicySchema, policyChanges, DEFAULT_POLICIES } from "~/domain/policy";

function errorsOf(schema: typeof ModelSchema | typeof EndpointSchema | typeof PolicySchema, input: unknown) {
  const res = schema.safeParse(input);
  if (res.success) throw new Error(`expected a failure for ${JSON.stringify(input)}`);
  return fieldErrors(res.error);
}

describe("ModelSchema", () => {
  it("lowercases the name and parses comma- or space-separated aliases, deduplicated", () => {
    const res = ModelSchema.parse({ name: " Mythos-Preview ", status: "restricted", aliases: "Mythos, capybara  capybara,mythos-p" });
    expect(res).toEqual({ name: "mythos-preview", status: "restricted", aliases: ["mythos", "capybara", "mythos-p"] });
  });

  it("accepts no aliases, and a list of aliases (inventory import)", () => {
    expect(ModelSchema.parse({ name: "opus-4", status: "ga" }).aliases).toEqual([]);
    expect(ModelSchema.parse({ name: "opus-4", status: "ga", aliases: "" }).aliases).toEqual([]);
    expect(ModelSchema.parse({ name: "opus-4", status: "ga", aliases: ["Opus", "claude-opus"] }).aliases).toEqual(["opus", "claude-opus"]);
  });

  it("refuses bad names, statuses and aliases with field messages", () => {
    expect(errorsOf(ModelSchema, { name: "-bad", status: "ga" }).name[0]).toMatch(/lowercase letters/);
    expect(errorsOf(ModelSchema, { name: "has/slash", status: "ga" }).name).toBeDefined();
    expect(errorsOf(ModelSchema, { name: "ok", status: "beta" }).status).toEqual(["Choose a status"]);
    const aliasErrors = errorsOf(ModelSchema, { name: "ok", status: "ga", aliases: "fine, b@d" });
    expect(Object.keys(aliasErrors).some((k) => k.startsWith("aliases"))).toBe(true);
    const many = Array.from({ length: 21 }, (_, i) => `a${i}`).join(",");
    expect(errorsOf(ModelSchema, { name: "ok", status: "ga", aliases: many }).aliases).toEqual(["At most 20 aliases"]);
  });

  it("parseAliases splits on commas and whitespace", () => {
    expect(parseAliases(" A ,b\nc,, ")).toEqual(["a", "b", "c"]);
    expect(parseAliases(undefined)).toEqual([]);
  });
});

describe("EndpointSchema", () => {
  it("accepts path templates with placeholders and orders methods", () => {
    const res = EndpointSchema.parse({ name: "messages", methods: ["POST", "GET"], pathTemplate: "/v1/models/{model}/messages" });
    expect(res).toEqual({ name: "messages", methods: ["GET", "POST"], pathTemplate: "/v1/models/{model}/messages" });
    expect(EndpointSchema.safeParse({ name: "files", methods: ["GET"], pathTemplate: "/v1/files/{file_id}/content" }).success).toBe(true);
    expect(EndpointSchema.safeParse({ name: "root", methods: ["GET"], pathTemplate: "/v1/models" }).success).toBe(true);
  });

  it.each([
    ["v1/models", /Start with \//],
    ["/v1/models/{model", /Placeholders look like \{model\}/],
    ["/v1/models/}model{", /Placeholders look like \{model\}/],
    ["/v1/models/{}", /Placeholders look like \{model\}/],
    ["/v1/models/{{model}}", /Placeholders look like \{model\}/],
    ["/v1/models/{Model}", /Placeholders look like \{model\}/],
    ["/v1/models?x=1", /Start with \//],
    ["/v1 /models", /Start with \//],
    ["/v1//models", /empty path segments/],
    ["/v1/../admin", /\.\. segments/],
  ])("refuses the path template %s", (pathTemplate, message) => {
    const errors = errorsOf(EndpointSchema, { name: "x", methods: ["GET"], pathTemplate });
    expect(errors.pathTemplate.join(" ")).toMatch(message);
  });

  it("needs at least one known method and a valid name", () => {
    expect(errorsOf(EndpointSchema, { name: "x", methods: [], pathTemplate: "/v1" }).methods).toEqual(["Pick at least one method"]);
    expect(Object.keys(errorsOf(EndpointSchema, { name: "x", methods: ["TRACE"], pathTemplate: "/v1" })).some((k) => k.startsWith("methods"))).toBe(true);
    expect(errorsOf(EndpointSchema, { name: "Bad Name", methods: ["GET"], pathTemplate: "/v1" }).name).toBeDefined();
  });
});

describe("namesModel", () => {
  it("is true only when the template carries {model}", () => {
    expect(namesModel("/v1/models/{model}/messages")).toBe(true);
    expect(namesModel("/v1/messages")).toBe(false);
    expect(namesModel("/v1/files/{file_id}")).toBe(false);
  });
});

describe("PolicySchema", () => {
  const good = { tier: "restricted", maxCredentialAgeDays: "30", unusedThresholdDays: "30", attestationCadenceDays: "90", reviewCadenceDays: "90", rotationGraceHours: "0" };

  it("coerces typed numbers and allows a zero grace period", () => {
    expect(PolicySchema.parse(good)).toEqual({ tier: "restricted", maxCredentialAgeDays: 30, unusedThresholdDays: 30, attestationCadenceDays: 90, reviewCadenceDays: 90, rotationGraceHours: 0 });
  });

  it("refuses blanks, fractions, words and out-of-range values with field messages", () => {
    const errors = errorsOf(PolicySchema, { ...good, maxCredentialAgeDays: "", unusedThresholdDays: "1.5", attestationCadenceDays: "often", reviewCadenceDays: "0", rotationGraceHours: "200" });
    expect(errors.maxCredentialAgeDays).toEqual(["Maximum credential age: enter a number"]);
    expect(errors.unusedThresholdDays).toEqual(["Unused threshold: a whole number of days"]);
    expect(errors.attestationCadenceDays).toEqual(["Attestation cadence: enter a number"]);
    expect(errors.reviewCadenceDays).toEqual(["Review cadence: at least 1"]);
    expect(errors.rotationGraceHours).toEqual(["Rotation grace: at most 168 hours (7 days)"]);
    expect(errorsOf(PolicySchema, { ...good, rotationGraceHours: "" }).rotationGraceHours).toBeDefined();
  });

  it("policyChanges lists only the changed fields, from/to", () => {
    const after = { ...DEFAULT_POLICIES.standard, maxCredentialAgeDays: 60 };
    expect(policyChanges(DEFAULT_POLICIES.standard, after)).toEqual({ maxCredentialAgeDays: { from: 90, to: 60 } });
    expect(policyChanges(DEFAULT_POLICIES.standard, DEFAULT_POLICIES.standard)).toEqual({});
  });
});
