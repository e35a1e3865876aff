import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "~/domain/log-event";
import { checkJsonlMap, parseMapArgs } from "~/domain/log-formats/jsonl-map";
import { parserFor } from "~/domain/log-parse";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const EVENT: CanonicalEvent = {
  ts: Date.UTC(2026, 10, 24, 10, 0, 0, 5),
  requestId: "req_01",
  keyRef: "kw_live_acme01",
  keyRefKind: "keyId",
  srcIp: "203.0.113.7",
  asn: 64500,
  country: "FR",
  userAgent: "anthropic-sdk-python/0.40.0",
  method: "POST",
  path: "/v1/models/opus-4/messages",
  model: "opus-4",
  status: 200,
  gatewayError: null,
  bytes: 5120,
  latencyMs: 830,
  tokensIn: 1200,
  tokensOut: 300,
};

describe("jsonl: canonical JSON lines", () => {
  it("round-trips a canonical event (the push API's own shape)", () => {
    expect(parseOk("jsonl", JSON.stringify(EVENT)).event).toEqual(EVENT);
    expect(parseOk("jsonl", JSON.stringify({ ...EVENT, ts: new Date(EVENT.ts).toISOString() })).event).toEqual(EVENT);
    const fp = { ...EVENT, keyRef: "A".repeat(64), keyRefKind: "fingerprint" };
    expect(parseOk("jsonl", JSON.stringify(fp)).event.keyRef).toBe("a".repeat(64));
  });

  it("reads the key id aliases and fingerprints", () => {
    for (const k of ["keyId", "key_id", "apiKeyId", "api_key_id", "credential", "http_x_key_id"]) {
      const { event } = parseOk("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "/v1/models", status: 200, [k]: "kw_alias_01" }));
      expect([k, event.keyRef, event.keyRefKind]).toEqual([k, "kw_alias_01", "keyId"]);
    }
    const { event } = parseOk("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "/", status: 200, keyFingerprint: "b".repeat(64) }));
    expect(event.keyRefKind).toBe("fingerprint");
  });

  it("reads nginx variable names (log_format escape=json), request_time in seconds", () => {
    const line = JSON.stringify({
      time_iso8601: "2026-11-24T11:00:00+01:00",
      remote_addr: "10.0.0.8",
      http_x_forwarded_for: "203.0.113.99",
      request_method: "POST",
      request_uri: "/v1/models/opus-4/messages?stream=1",
      uri: "/v1/models/opus-4/messages",
      status: "429",
      body_bytes_sent: "87",
      request_time: "0.250",
      http_user_agent: "",
      request_id: "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
      http_x_key_id: "kw_live_acme01",
      server_name: "api.example.com",
    });
    const { event } = parseOk("jsonl", line);
    expect(event).toMatchObject({
      ts: Date.UTC(2026, 10, 24, 10),
      srcIp: "203.0.113.99",
      method: "POST",
      path: "/v1/models/opus-4/messages",
      status: 429,
      bytes: 87,
      latencyMs: 250,
      userAgent: "",
      requestId: "5f1e2d3c4b5a69788796a5b4c3d2e1f0",
      keyRef: "kw_live_acme01",
    });
  });

  it("reads ts as ISO, CLF, epoch seconds, milliseconds and nginx $msec", () => {
    const at = (ts: unknown) => parseOk("jsonl", JSON.stringify({ ts, method: "GET", path: "/", status: 200 })).event.ts;
    const whole = Date.UTC(2026, 10, 24, 10);
    expect(at("2026-11-24T10:00:00Z")).toBe(whole);
    expect(at(whole / 1000)).toBe(whole);
    expect(at(whole)).toBe(whole);
    expect(at(`${whole / 1000}.123`)).toBe(whole + 123);
    expect(parseOk("jsonl", JSON.stringify({ time_local: "24/Nov/2026:10:00:00 +0000", method: "GET", path: "/", status: 200 })).event.ts).toBe(whole);
    expect(parseRejected("jsonl", JSON.stringify({ ts: 12, method: "GET", path: "/", status: 200 }))).toMatch(/out of range/);
  });

  it("splits nginx's $request when method and path are not separate fields; strips scheme and host from url", () => {
    const e = parseOk("jsonl", JSON.stringify({ ts: EVENT.ts, request: "DELETE /v1/files/f_1 HTTP/1.1", status: 204 })).event;
    expect([e.method, e.path]).toEqual(["DELETE", "/v1/files/f_1"]);
    expect(parseOk("jsonl", JSON.stringify({ ts: EVENT.ts, method: "get", url: "https://api.example.com/v1/models?x=1", status: 200 })).event).toMatchObject({ method: "GET", path: "/v1/models" });
  });

  it("maps any JSON through dotted paths (--map), ignoring unknown fields", () => {
    const map = parseMapArgs(["ts=meta.time", "path=req.target", "method=req.verb", "status=res.code", "keyId=auth.key.id", "srcIp=net.client"]);
    if (!map.ok) throw new Error(map.error);
    const line = JSON.stringify({ meta: { time: "2026-11-24T10:00:00Z" }, req: { target: "/v1/x", verb: "PUT" }, res: { code: 201 }, auth: { key: { id: "kw_mapped_1" } }, net: { client: "198.51.100.4" }, extra: [1, 2] });
    expect(parseOk("jsonl", line, { map: map.map }).event).toMatchObject({ method: "PUT", path: "/v1/x", status: 201, keyRef: "kw_mapped_1", srcIp: "198.51.100.4" });
    expect(parseMapArgs(["nope=a.b"]).ok).toBe(false);
    expect(parseMapArgs(["path"]).ok).toBe(false);
    expect(parseMapArgs(["path=a..b"]).ok).toBe(false);
    expect(() => parserFor("jsonl", { map: { bogus: "x" } as never })).toThrow();
  });

  it("the parser's own check of a map (it runs where zod is not loaded) agrees with the schema", () => {
    const maps: Record<string, unknown>[] = [
      { path: "req.url" },
      { path: "a".repeat(200) },
      { path: "a".repeat(201) },
      { path: "a..b" },
      { path: ".a" },
      { path: "a b" },
      { path: "" },
      { path: 3 },
      { bogus: "x" },
      { keyId: "auth.key.id", ts: "@timestamp", status: "res.code" },
    ];
    for (const m of maps) {
      let accepted = true;
      try {
        parserFor("jsonl", { map: m as never });
      } catch {
        accepted = false;
      }
      expect([m, accepted]).toEqual([m, checkJsonlMap(m).ok]);
    }
  });

  it("reports secret fields (api_key, http_authorization, bearer tokens anywhere) and stores none", () => {
    const secret = "sk-ant-api03-0123456789abcdefghij";
    const r = parseOk("jsonl", JSON.stringify({ ...EVENT, api_key: secret, http_authorization: `Bearer ${secret}`, note: { text: `token Bearer ${secret}` } }));
    expect([...r.secrets].sort()).toEqual(["api_key", "http_authorization", "note.text"]);
    expectNoSecret(r, secret);
    const inKey = parseOk("jsonl", JSON.stringify({ ...EVENT, keyRef: undefined, keyRefKind: undefined, keyId: secret }));
    expect(inKey.event.keyRef).toBeNull();
    expect(inKey.secrets).toContain("keyRef");
    expectNoSecret(inKey, secret);
  });

  it("refuses lines that are not usable, with short reasons", () => {
    expect(parseRejected("jsonl", "not json")).toBe("not a JSON object");
    expect(parseRejected("jsonl", '{"ts": 1')).toBe("invalid JSON");
    expect(parseRejected("jsonl", "[]")).toBe("not a JSON object");
    expect(parseRejected("jsonl", JSON.stringify({ method: "GET", path: "/", status: 200 }))).toMatch(/no timestamp/);
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, path: "/", status: 200 }))).toMatch(/no method/);
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", status: 200 }))).toMatch(/no path/);
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "/" }))).toMatch(/no status/);
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, method: "G E T", path: "/", status: 200 }))).toMatch(/method/);
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "?only=query", status: 200 }))).toBe("no path");
    expect(parseRejected("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "/", status: 200, srcIp: "1.2.3" }))).toMatch(/not an IP/);
    expect(parseRejected("jsonl", "")).toBe("empty line");
  });

  it("escapes control characters in stored text instead of dropping the event", () => {
    const e = parseOk("jsonl", JSON.stringify({ ts: EVENT.ts, method: "GET", path: "/a\u0000b\u001b", userAgent: "x\ny", status: 200 })).event;
    expect(e.path).toBe("/a\\x00b\\x1B");
    expect(e.userAgent).toBe("x\\x0Ay");
  });
});
