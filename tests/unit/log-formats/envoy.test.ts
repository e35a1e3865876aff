import { describe, expect, it } from "vitest";
import { envoyGatewayError } from "~/domain/log-formats/envoy";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const TEXT = `[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"`;

const gatewayJson = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    ":authority": "api.example.com",
    bytes_received: 0,
    bytes_sent: 121258,
    downstream_remote_address: "10.0.0.12:59292",
    duration: 11,
    method: "POST",
    protocol: "HTTP/2",
    response_code: 200,
    response_flags: "-",
    start_time: "2025-12-31T16:37:40.479Z",
    "user-agent": "anthropic-sdk-typescript/0.30.0",
    "x-envoy-origin-path": "/v1/models/opus-4/messages",
    "x-envoy-upstream-service-time": null,
    "x-forwarded-for": "203.0.113.50",
    "x-request-id": "3bbc0252-2d5c-49fe-bd89-104e9b61770b",
    ...over,
  });

describe("envoy default text format", () => {
  it("reads every field of the default format", () => {
    const { event } = parseOk("envoy", TEXT);
    expect(event).toMatchObject({
      ts: Date.UTC(2016, 3, 15, 20, 17, 0, 310),
      requestId: "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2",
      keyRef: null,
      srcIp: "10.0.35.28",
      userAgent: "nsq2http",
      method: "POST",
      path: "/api/v1/locations",
      status: 204,
      gatewayError: null,
      bytes: 0,
      latencyMs: 226,
    });
  });

  it("reads the optional trailing key id field", () => {
    const { event } = parseOk("envoy", `${TEXT} "kw_live_acme01"`);
    expect(event.keyRef).toBe("kw_live_acme01");
    expect(event.keyRefKind).toBe("keyId");
  });

  it("maps response flags: NR is no_route", () => {
    const nr = TEXT.replace('" 204 - ', '" 404 NR ');
    expect(parseOk("envoy", nr).event.gatewayError).toBe("no_route");
    expect(envoyGatewayError("UH,UF")).toBe("no_healthy_upstream");
    expect(envoyGatewayError("UF,NR")).toBe("no_route");
    expect(envoyGatewayError("-")).toBeNull();
    expect(envoyGatewayError("ZZ")).toBe("envoy_zz");
  });

  it("takes the client from X-Forwarded-For (right-most public entry), '-' gives no address", () => {
    expect(parseOk("envoy", TEXT.replace('"10.0.35.28"', '"198.51.100.1, 203.0.113.9, 10.0.0.1"')).event.srcIp).toBe("203.0.113.9");
    expect(parseOk("envoy", TEXT.replace('"10.0.35.28"', '"fd00:1234:5678::5a24, [fd00:1234:5678::1]:54321"')).event.srcIp).toBe("fd00:1234:5678::5a24");
    expect(parseOk("envoy", TEXT.replace('"10.0.35.28"', '"-"')).event.srcIp).toBeNull();
  });

  it("accepts the container runtime prefix and refuses partial (P) lines", () => {
    expect(parseOk("envoy", `2026-01-24T01:37:00.000000000+00:00 stdout F ${TEXT}`).event.status).toBe(204);
    expect(parseRejected("envoy", `2026-01-24T01:37:00.000000000+00:00 stdout P ${TEXT}`)).toMatch(/partial/);
  });

  it("refuses malformed lines with a reason", () => {
    expect(parseRejected("envoy", `[2016-04-15T20:17:00.310Z] "POST /x HTTP/2" 204 - 154 0`)).toMatch(/too few fields/);
    expect(parseRejected("envoy", `[yesterday] "GET / HTTP/1.1" 200 - 0 0 0 0 "-" "-" "-" "-" "-"`)).toMatch(/time/);
    expect(parseRejected("envoy", `[2016-04-15T20:17:00.310Z] "- - -" 0 - 0 0 0 - "-" "-" "-" "-" "-"`)).toMatch(/METHOD PATH/);
    expect(parseRejected("envoy", "hello")).toMatch(/not an Envoy/);
  });
});

describe("Envoy Gateway JSON", () => {
  it("reads the fields; a private peer defers to X-Forwarded-For", () => {
    const { event } = parseOk("envoy", gatewayJson());
    expect(event).toMatchObject({
      ts: Date.UTC(2025, 11, 31, 16, 37, 40, 479),
      requestId: "3bbc0252-2d5c-49fe-bd89-104e9b61770b",
      srcIp: "203.0.113.50",
      userAgent: "anthropic-sdk-typescript/0.30.0",
      method: "POST",
      path: "/v1/models/opus-4/messages",
      status: 200,
      bytes: 121258,
      latencyMs: 11,
    });
  });

  it("a public peer cannot be overridden by a forged X-Forwarded-For", () => {
    expect(parseOk("envoy", gatewayJson({ downstream_remote_address: "198.51.100.7:4000", "x-forwarded-for": "1.1.1.1" })).event.srcIp).toBe("198.51.100.7");
    expect(parseOk("envoy", gatewayJson({ downstream_remote_address: "[2001:db8::5]:4000", "x-forwarded-for": null })).event.srcIp).toBe("2001:db8::5");
  });

  it("reads the key id from a header field, NR flags, status 0 and the runtime prefix", () => {
    const { event } = parseOk("envoy", `2025-12-31T17:37:40.493035218+01:00 stdout F ${gatewayJson({ "x-key-id": "kw_live_acme01", response_flags: "NR", response_code: 0 })}`);
    expect(event.keyRef).toBe("kw_live_acme01");
    expect(event.gatewayError).toBe("no_route");
    expect(event.status).toBe(0);
  });

  it("reports an authorization header field and never stores it", () => {
    const secret = "Bearer abcdefghijklmnopqrstuvwxyz";
    const r = parseOk("envoy", gatewayJson({ authorization: secret }));
    expect(r.secrets).toEqual(["authorization"]);
    expectNoSecret(r, "abcdefghijklmnopqrstuvwxyz");
  });

  it("refuses lines without the required fields", () => {
    expect(parseRejected("envoy", gatewayJson({ start_time: undefined }))).toBe("no start_time");
    expect(parseRejected("envoy", gatewayJson({ response_code: "abc" }))).toBe("no response_code");
    expect(parseRejected("envoy", gatewayJson({ downstream_remote_address: "nope" }))).toMatch(/not an IP/);
    expect(parseRejected("envoy", '{"start_time": ')).toBe("invalid JSON");
  });
});
