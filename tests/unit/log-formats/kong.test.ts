import { describe, expect, it } from "vitest";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const SECRET = "kong-key-Zx81HHqp02Lk7VV1mN0b";
const entry = (over: Record<string, unknown> = {}) => ({
  workspace: "b4a1e9a2-6b4a-4e91-9c2e-3b6a9d8f1c72",
  upstream_uri: "/v1/chat/completions",
  client_ip: "192.0.2.44",
  started_at: 1795000000123,
  request: {
    id: "9ec9264afbbbad5fe5c64877d92eeb04",
    uri: "/v1/models/opus-4/messages",
    url: "http://gateway.example:8000/v1/models/opus-4/messages",
    method: "POST",
    size: 323,
    querystring: {},
    headers: { "user-agent": "curl/8.5.0", authorization: `Bearer ${SECRET}`, apikey: SECRET, host: "gateway.example" },
  },
  response: { status: 200, size: 1876, headers: { "x-kong-request-id": "9ec9264afbbbad5fe5c64877d92eeb04" } },
  latencies: { request: 515, kong: 58, proxy: 457 },
  route: { id: "r1", paths: ["/v1"] },
  service: { id: "s1" },
  authenticated_entity: { id: "4a5e1f1c-0f39-4d47-9b5f-7e8d2c1a0b3e" },
  consumer: { id: "c1", username: "kw_live_acme01" },
  ...over,
});

describe("Kong file-log / http-log JSON", () => {
  it("reads the entry and drops authorization and apikey headers, naming them", () => {
    const r = parseOk("kong", JSON.stringify(entry()));
    expect(r.event).toMatchObject({
      ts: 1795000000123,
      requestId: "9ec9264afbbbad5fe5c64877d92eeb04",
      keyRef: "kw_live_acme01",
      keyRefKind: "keyId",
      srcIp: "192.0.2.44",
      userAgent: "curl/8.5.0",
      method: "POST",
      path: "/v1/models/opus-4/messages",
      status: 200,
      bytes: 1876,
      latencyMs: 515,
      gatewayError: null,
    });
    expect([...r.secrets].sort()).toEqual(["request.headers.apikey", "request.headers.authorization"]);
    expectNoSecret(r, SECRET);
  });

  it("uses consumer.username first, authenticated_entity.id otherwise, or first with kongKeyRef=credential", () => {
    expect(parseOk("kong", JSON.stringify(entry({ consumer: undefined }))).event.keyRef).toBe("4a5e1f1c-0f39-4d47-9b5f-7e8d2c1a0b3e");
    expect(parseOk("kong", JSON.stringify(entry()), { kongKeyRef: "credential" }).event.keyRef).toBe("4a5e1f1c-0f39-4d47-9b5f-7e8d2c1a0b3e");
    expect(parseOk("kong", JSON.stringify(entry({ consumer: null, authenticated_entity: null }))).event.keyRef).toBeNull();
  });

  it("reads the AI Gateway's requested model and token usage (ai.proxy and legacy ai['ai-proxy'])", () => {
    const ai = { meta: { request_model: "opus-4", response_model: "opus-4-20260101", provider_name: "anthropic" }, usage: { prompt_tokens: 28, completion_tokens: 20, total_tokens: 48 } };
    const now = parseOk("kong", JSON.stringify(entry({ ai: { proxy: ai } }))).event;
    expect([now.model, now.tokensIn, now.tokensOut]).toEqual(["opus-4", 28, 20]);
    const legacy = parseOk("kong", JSON.stringify(entry({ ai: { "ai-proxy": ai } }))).event;
    expect(legacy.model).toBe("opus-4");
  });

  it("does not report Kong's REDACTED placeholders; reports a key in the query string", () => {
    const redacted = entry();
    redacted.request.headers = { "user-agent": "curl/8.5.0", authorization: "REDACTED" } as typeof redacted.request.headers;
    expect(parseOk("kong", JSON.stringify(redacted)).secrets).toEqual([]);
    const q = entry();
    q.request.uri = `/v1/models?apikey=${SECRET}`;
    q.request.querystring = { apikey: SECRET } as typeof q.request.querystring;
    q.request.headers = { "user-agent": "curl/8.5.0" } as typeof q.request.headers;
    const r = parseOk("kong", JSON.stringify(q));
    expect(r.event.path).toBe("/v1/models");
    expect([...r.secrets].sort()).toEqual(["query.apikey", "request.querystring.apikey"]);
    expectNoSecret(r, SECRET);
  });

  it("marks a 404 without a matched route as no_route, and reads request.url when uri is absent", () => {
    const e = entry({ route: undefined, response: { status: 404, size: 48 } });
    expect(parseOk("kong", JSON.stringify(e)).event.gatewayError).toBe("no_route");
    const u = entry();
    delete (u.request as Partial<typeof u.request>).uri;
    expect(parseOk("kong", JSON.stringify(u)).event.path).toBe("/v1/models/opus-4/messages");
  });

  it("refuses entries without the required parts", () => {
    expect(parseRejected("kong", JSON.stringify(entry({ started_at: undefined })))).toBe("no started_at");
    expect(parseRejected("kong", JSON.stringify(entry({ response: "x" })))).toBe("no request/response objects");
    expect(parseRejected("kong", JSON.stringify(entry({ client_ip: "999.1.1.1" })))).toMatch(/not an IP/);
    expect(parseRejected("kong", "{")).toBe("invalid JSON");
  });
});
