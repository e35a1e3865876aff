import { describe, expect, it } from "vitest";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const TS = Date.UTC(2026, 10, 24, 10, 0, 0, 123);
const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    ClientASN: 64496,
    ClientCountry: "de",
    ClientIP: "2001:db8:85a3::8a2e:370:7334",
    ClientRequestHost: "api.example.com",
    ClientRequestMethod: "POST",
    ClientRequestURI: "/v1/models/opus-4/messages?beta=true",
    ClientRequestUserAgent: "anthropic-sdk-go/1.2.0",
    EdgeResponseBytes: 2345,
    EdgeResponseStatus: 200,
    EdgeStartTimestamp: TS * 1_000_000,
    EdgeTimeToFirstByteMs: 412,
    RayID: "7f1a2b3c4d5e6f70",
    RequestHeaders: { "x-key-id": "kw_live_acme01" },
    ...over,
  });

describe("Cloudflare Logpush http_requests", () => {
  it("reads the fields, keeps ASN and country, takes the key id from RequestHeaders", () => {
    const { event } = parseOk("cloudflare", line());
    expect(event).toEqual({
      ts: TS,
      requestId: "7f1a2b3c4d5e6f70",
      keyRef: "kw_live_acme01",
      keyRefKind: "keyId",
      srcIp: "2001:db8:85a3::8a2e:370:7334",
      asn: 64496,
      country: "DE",
      userAgent: "anthropic-sdk-go/1.2.0",
      method: "POST",
      path: "/v1/models/opus-4/messages",
      model: null,
      status: 200,
      gatewayError: null,
      bytes: 2345,
      latencyMs: 412,
      tokensIn: null,
      tokensOut: null,
    });
  });

  it("handles every EdgeStartTimestamp format: unixnano (number or text), unix, ms, RFC 3339", () => {
    const whole = Date.UTC(2026, 10, 24, 10, 0, 0);
    expect(parseOk("cloudflare", line({ EdgeStartTimestamp: `${whole}000000` })).event.ts).toBe(whole);
    expect(parseOk("cloudflare", line({ EdgeStartTimestamp: whole / 1000 })).event.ts).toBe(whole);
    expect(parseOk("cloudflare", line({ EdgeStartTimestamp: whole })).event.ts).toBe(whole);
    expect(parseOk("cloudflare", line({ EdgeStartTimestamp: "2026-11-24T10:00:00Z" })).event.ts).toBe(whole);
    expect(parseRejected("cloudflare", line({ EdgeStartTimestamp: "soon" }))).toMatch(/not a timestamp/);
  });

  it("drops authorization and x-api-key request headers and secret query parameters, naming them", () => {
    const secret = "sk-ant-api03-SECRETSECRETSECRETSECRET";
    const r = parseOk("cloudflare", line({ ClientRequestURI: `/v1/models?key=${secret}`, RequestHeaders: { "x-key-id": "kw_live_acme01", authorization: `Bearer ${secret}`, "x-api-key": secret } }));
    // the URI field is named too: it holds an sk- key anywhere in its text
    expect([...r.secrets].sort()).toEqual(["ClientRequestURI", "RequestHeaders.authorization", "RequestHeaders.x-api-key", "query.key"]);
    expect(r.event.keyRef).toBe("kw_live_acme01");
    expectNoSecret(r, secret);
  });

  it("keeps Tor's T1 country code, ignores an unusable ASN", () => {
    const e = parseOk("cloudflare", line({ ClientCountry: "t1", ClientASN: "n/a" })).event;
    expect(e.country).toBe("T1");
    expect(e.asn).toBeNull();
  });

  it("refuses lines without method, URI or status", () => {
    expect(parseRejected("cloudflare", line({ ClientRequestMethod: undefined }))).toBe("no ClientRequestMethod");
    expect(parseRejected("cloudflare", line({ ClientRequestURI: undefined }))).toBe("no ClientRequestURI");
    expect(parseRejected("cloudflare", line({ EdgeResponseStatus: 999 }))).toMatch(/status/);
  });
});
