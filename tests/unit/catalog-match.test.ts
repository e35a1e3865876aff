import { describe, expect, it } from "vitest";
import { compileCatalog } from "~/domain/catalog-match";

const match = compileCatalog(
  [
    { name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" },
    { name: "model-info", methods: ["GET"], pathTemplate: "/v1/models/{model}" },
    { name: "models-list", methods: ["GET"], pathTemplate: "/v1/models" },
    { name: "batches", methods: ["POST"], pathTemplate: "/v1/batches" },
    { name: "batch-get", methods: ["GET"], pathTemplate: "/v1/batches/{id}" },
    { name: "batch-latest", methods: ["GET"], pathTemplate: "/v1/batches/latest" },
  ],
  [
    { name: "atlas-2", aliases: [] },
    { name: "orion-x", aliases: ["project-orion"] },
  ],
);

describe("catalog matching", () => {
  it("finds the endpoint and the model in the path", () => {
    expect(match("POST", "/v1/models/atlas-2/messages")).toEqual({ endpoint: "messages", model: "atlas-2" });
    expect(match("get", "/v1/models")).toEqual({ endpoint: "models-list", model: null });
  });
  it("resolves aliases and codenames to the model's name", () => {
    expect(match("POST", "/v1/models/project-orion/messages")).toEqual({ endpoint: "messages", model: "orion-x" });
  });
  it("keeps an unknown model name as logged", () => {
    expect(match("POST", "/v1/models/mythos-previw/messages")).toEqual({ endpoint: "messages", model: "mythos-previw" });
  });
  it("answers unknown for a path or method outside the catalog, still naming a model segment", () => {
    expect(match("DELETE", "/v1/models/atlas-2/messages").endpoint).toBeNull();
    expect(match("GET", "/v2/models/orion-x/chat")).toEqual({ endpoint: null, model: "orion-x" });
    expect(match("GET", "/.env")).toEqual({ endpoint: null, model: null });
  });
  it("ignores the query string and prefers literal segments", () => {
    expect(match("GET", "/v1/batches/latest?x=1").endpoint).toBe("batch-latest");
    expect(match("GET", "/v1/batches/b_123").endpoint).toBe("batch-get");
  });
  it("uses the model the gateway logged when the path names none", () => {
    expect(match("POST", "/v1/batches", "atlas-2")).toEqual({ endpoint: "batches", model: "atlas-2" });
  });
});
