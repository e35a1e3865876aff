import { describe, expect, it } from "vitest";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    ip: "203.0.113.7",
    caller: "-",
    user: "-",
    requestTime: "24/Nov/2026:10:00:00 +0000",
    httpMethod: "POST",
    resourcePath: "/v1/models/{model}/messages",
    path: "/v1/models/opus-4/messages",
    status: "200",
    protocol: "HTTP/1.1",
    responseLength: "1234",
    apiKeyId: "k8y2xw0abc",
    userAgent: "anthropic-sdk-python/0.40.0",
    integrationLatency: "120",
    responseLatency: "131",
    ...over,
  });

describe("AWS API Gateway JSON access logs", () => {
  it("reads $context fields, string numbers, CLF requestTime and apiKeyId", () => {
    const { event, secrets } = parseOk("apigw", line());
    expect(event).toEqual({
      ts: Date.UTC(2026, 10, 24, 10, 0, 0),
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      keyRef: "k8y2xw0abc",
      keyRefKind: "keyId",
      srcIp: "203.0.113.7",
      asn: null,
      country: null,
      userAgent: "anthropic-sdk-python/0.40.0",
      method: "POST",
      path: "/v1/models/opus-4/messages",
      model: null,
      status: 200,
      gatewayError: null,
      bytes: 1234,
      latencyMs: 131,
      tokensIn: null,
      tokensOut: null,
    });
    expect(secrets).toEqual([]);
  });

  it("drops the apiKey field (the secret itself) and reports it", () => {
    const secret = "Fk3jX9aQ2LmN8pR4sT6vW1yZ0bC5dE7g";
    const r = parseOk("apigw", line({ apiKey: secret }));
    expect(r.secrets).toEqual(["apiKey"]);
    expectNoSecret(r, secret);
    expect(r.event.keyRef).toBe("k8y2xw0abc");
    // "-" (no key sent) is not secret material
    expect(parseOk("apigw", line({ apiKey: "-" })).secrets).toEqual([]);
    const nested = parseOk("apigw", line({ apiKeyId: undefined, identity: { apiKeyId: "nested01", apiKey: secret } }));
    expect(nested.event.keyRef).toBe("nested01");
    expect(nested.secrets).toEqual(["identity.apiKey"]);
    expectNoSecret(nested, secret);
  });

  it("treats '-' as absent, prefers requestTimeEpoch, strips the stage prefix, keeps the error type", () => {
    const { event } = parseOk(
      "apigw",
      line({ apiKeyId: "-", userAgent: "-", requestTimeEpoch: 1795000000123, stage: "prod", path: "/prod/v1/nope", status: 403, errorType: "MISSING_AUTHENTICATION_TOKEN" }),
    );
    expect(event.keyRef).toBeNull();
    expect(event.userAgent).toBe("");
    expect(event.ts).toBe(1795000000123);
    expect(event.path).toBe("/v1/nope");
    expect(event.gatewayError).toBe("missing_authentication_token");
  });

  it("falls back to resourcePath and to an HTTP API's routeKey", () => {
    expect(parseOk("apigw", line({ path: undefined })).event.path).toBe("/v1/models/{model}/messages");
    const v2 = parseOk("apigw", line({ path: undefined, resourcePath: undefined, httpMethod: undefined, routeKey: "GET /v1/models" })).event;
    expect(v2.method).toBe("GET");
    expect(v2.path).toBe("/v1/models");
  });

  it("refuses lines without time, method, path or status", () => {
    expect(parseRejected("apigw", line({ requestTime: undefined }))).toBe("no requestTime");
    expect(parseRejected("apigw", line({ requestTime: "yesterday" }))).toBe("requestTime is not a timestamp");
    expect(parseRejected("apigw", line({ httpMethod: undefined }))).toBe("no httpMethod");
    expect(parseRejected("apigw", line({ status: "-" }))).toBe("no status");
    expect(parseRejected("apigw", line({ ip: "not-an-ip" }))).toMatch(/not an IP/);
    expect(parseRejected("apigw", "[1,2]")).toBe("not a JSON object");
  });
});
