import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const KEY = "sk-litellm-virtual-0123456789abcdef";
const HASH = createHash("sha256").update(KEY).digest("hex");

const row = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    request_id: "chatcmpl-7b3a9f0e-1d2c-4e5f-8a9b-0c1d2e3f4a5b",
    call_type: "acompletion",
    api_key: HASH,
    spend: 0.00042,
    total_tokens: 1530,
    prompt_tokens: 1200,
    completion_tokens: 330,
    startTime: "2026-11-24T10:00:00.250000Z",
    endTime: "2026-11-24T10:00:02.000000Z",
    model: "opus-4",
    model_group: "opus",
    custom_llm_provider: "anthropic",
    user: "analyst@acme.example",
    metadata: { user_api_key_alias: "acme-prod", user_api_key_team_id: "team-1" },
    cache_hit: "False",
    requester_ip_address: "198.51.100.23",
    status: "success",
    ...over,
  });

describe("LiteLLM spend logs", () => {
  it("reads a spend-log row: hashed key as fingerprint, synthesized path, tokens, latency", () => {
    const { event, secrets } = parseOk("litellm", row());
    expect(event).toEqual({
      ts: Date.UTC(2026, 10, 24, 10, 0, 0, 250),
      requestId: "chatcmpl-7b3a9f0e-1d2c-4e5f-8a9b-0c1d2e3f4a5b",
      keyRef: HASH,
      keyRefKind: "fingerprint",
      srcIp: "198.51.100.23",
      asn: null,
      country: null,
      userAgent: null,
      method: "POST",
      path: "/litellm/acompletion",
      model: "opus-4",
      status: 200,
      gatewayError: null,
      bytes: null,
      latencyMs: 1750,
      tokensIn: 1200,
      tokensOut: 330,
    });
    expect(secrets).toEqual([]);
  });

  it("lowercases an uppercase hash; keeps a non-hash value as a key id", () => {
    expect(parseOk("litellm", row({ api_key: HASH.toUpperCase() })).event.keyRef).toBe(HASH);
    const alias = parseOk("litellm", row({ api_key: "acme-prod" })).event;
    expect([alias.keyRef, alias.keyRefKind]).toEqual(["acme-prod", "keyId"]);
    expect(parseOk("litellm", row({ api_key: "" })).event.keyRef).toBeNull();
  });

  it("maps status: missing → 200, failure → the error code or 500", () => {
    expect(parseOk("litellm", row({ status: undefined })).event.status).toBe(200);
    const f = parseOk("litellm", row({ status: "failure", metadata: { error_information: { error_code: "429", error_class: "RateLimitError" } } })).event;
    expect([f.status, f.gatewayError]).toEqual([429, "litellm_failure"]);
    expect(parseOk("litellm", row({ status: "failure" })).event.status).toBe(500);
    expect(parseRejected("litellm", row({ status: "weird" }))).toMatch(/success nor failure/);
  });

  it("drops a raw virtual key logged in api_key and reports it", () => {
    const r = parseOk("litellm", row({ api_key: KEY }));
    expect(r.event.keyRef).toBeNull();
    expect(r.secrets).toContain("api_key");
    expectNoSecret(r, KEY);
  });

  it("reads naive timestamps as UTC, an empty IP as unknown, model_group when model is empty", () => {
    const e = parseOk("litellm", row({ startTime: "2026-11-24 10:00:00", endTime: "2026-11-24 10:00:01.5", requester_ip_address: "", model: "" })).event;
    expect(e.ts).toBe(Date.UTC(2026, 10, 24, 10));
    expect(e.latencyMs).toBe(1500);
    expect(e.srcIp).toBeNull();
    expect(e.model).toBe("opus");
  });

  it("refuses rows without startTime or call_type", () => {
    expect(parseRejected("litellm", row({ startTime: undefined }))).toBe("no startTime");
    expect(parseRejected("litellm", row({ call_type: null }))).toBe("no call_type");
  });
});
