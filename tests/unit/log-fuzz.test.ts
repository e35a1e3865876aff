import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_LINE } from "~/domain/log-event";
import { CanonicalEventSchema } from "~/domain/log-event-schema";
import { isIpv4, isIpv6 } from "~/domain/log-ip";
import { FORMATS, parserFor, type LineParser, type LogFormat } from "~/domain/log-parse";
import { parseIso } from "~/domain/log-time";
import { mulberry32 } from "~/domain/seeded-random";

// Issue 9 point 4 (parsers): for every format, ≥ 10,000 generated and mutated lines go through the parser:
// it never throws, every result is an event or a reason, and every accepted event passes the zod contract
// (the hand-written fast path never accepts what CanonicalEventSchema refuses).

const rnd = mulberry32(0x6b657977); // "keyw"
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

const IPS = ["203.0.113.7", "10.0.0.1", "2001:db8::1", "::ffff:1.2.3.4", "[fd00::5]:443", "999.1.1.1", "-", "", "1.2.3", "::", "0.0.0.0"];
const PATHS = ["/v1/models/opus-4/messages", "/v1/models?api_key=sk-ant-secretsecretsecret", "/", "*", "?x", "/a b", "/%2e%2e/etc/passwd", "/\u0000x", "http://h/x", ""];
const UAS = ["curl/8.5.0", "-", "", "sqlmap/1.7", "Bearer abcdefghijklmnop", "x\u001by", "\ufffd\ud800"];
const TIMES_ISO = ["2026-11-24T10:00:00Z", "2026-11-24T10:00:00.123456789+01:00", "2026-02-30T10:00:00Z", "1999-01-01T00:00:00Z", "2026-11-24 10:00:00", "2026-13-01T00:00:00Z", "x"];
const TIMES_CLF = ["24/Nov/2026:10:00:00 +0000", "29/Feb/2023:00:00:00 +0000", "24/Nov/2026:25:00:00 +0000", "24/Foo/2026:10:00:00 +0000", "24/Nov/2026:10:00:00 +99"];
const KEYS = ["kw_live_acme01", "-", "", "Bearer sk-ant-abcdefabcdefabcdef", "a".repeat(300), "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"];
const WEIRD: unknown[] = [null, true, 0, -1, 1e308, 3.7, "", "-", [], {}, [1, [2]], { a: { b: 1 } }, "NaN", "1e999", "\u0000", "\ud800"];

function weird(): unknown {
  return rnd() < 0.5 ? pick(WEIRD) : pick([...IPS, ...PATHS, ...UAS, ...KEYS, ...TIMES_ISO]);
}

const GENERATORS: Record<LogFormat, () => string> = {
  jsonl: () =>
    JSON.stringify({
      ts: rnd() < 0.7 ? pick(TIMES_ISO) : pick([1795000000, 1795000000123, "1795000000.5", 12]),
      keyId: pick(KEYS),
      srcIp: pick(IPS),
      userAgent: pick(UAS),
      method: pick(["GET", "POST", "get", "M-SEARCH", "G E T", ""]),
      path: pick(PATHS),
      status: pick([200, "404", 0, 99, 600, "x"]),
      bytes: pick([1, -1, "12", null]),
      request_time: pick(["0.25", 3, "-"]),
      model: pick(["opus-4", "", "x".repeat(300)]),
    }),
  nginx: () =>
    `${pick(IPS)} - ${pick(["-", "bob", ""])} [${pick(TIMES_CLF)}] "${pick(["GET", "POST", "HELP", ""])} ${pick(PATHS)} ${pick(["HTTP/1.1", "", "HTTP/2.0"])}" ${pick(["200", "404", "abc", "0"])} ${pick(["12", "-", "x"])} "${pick(["-", "https://r/?token=abc"])}" "${pick(UAS)}" "${pick(KEYS)}"`,
  apigw: () =>
    JSON.stringify({
      requestId: pick(["r-1", "", "-"]),
      ip: pick(IPS),
      requestTime: pick(TIMES_CLF),
      httpMethod: pick(["GET", "POST", "-"]),
      path: pick(PATHS),
      status: pick(["200", "403", "-", 200]),
      apiKeyId: pick(KEYS),
      apiKey: pick(["-", "Fk3jX9aQ2LmN8pR4sT6vW1yZ0bC5dE7g"]),
      userAgent: pick(UAS),
      responseLatency: pick(["12", "-"]),
    }),
  kong: () =>
    JSON.stringify({
      client_ip: pick(IPS),
      started_at: pick([1795000000123, "1795000000123", -5, "x"]),
      request: { method: pick(["GET", "POST", ""]), uri: pick(PATHS), headers: { "user-agent": pick(UAS), authorization: pick(["Bearer abcdefghijkl", "REDACTED"]), apikey: pick(KEYS) } },
      response: { status: pick([200, 404, "500", null]), size: pick([1, "2", -3]) },
      latencies: { request: pick([1, "x", null]) },
      consumer: rnd() < 0.5 ? { username: pick(KEYS) } : null,
      authenticated_entity: { id: pick(KEYS) },
      ai: { proxy: { meta: { request_model: pick(["opus-4", "", 5]) }, usage: { prompt_tokens: pick([1, -1, "7"]), completion_tokens: 2 } } },
    }),
  envoy: () =>
    rnd() < 0.5
      ? `[${pick(TIMES_ISO)}] "${pick(["GET", "POST", "-"])} ${pick(PATHS)} ${pick(["HTTP/1.1", "HTTP/2", "-"])}" ${pick(["200", "0", "x"])} ${pick(["-", "NR", "UH,UF"])} 1 2 3 ${pick(["4", "-"])} "${pick(["10.0.0.1, 203.0.113.9", "-", "x"])}" "${pick(UAS)}" "rid" "auth" "up"${rnd() < 0.5 ? ` "${pick(KEYS)}"` : ""}`
      : `${rnd() < 0.5 ? "2025-12-31T17:37:40.493035218+01:00 stdout F " : ""}${JSON.stringify({
          start_time: pick(TIMES_ISO),
          method: pick(["GET", "HEAD", ""]),
          "x-envoy-origin-path": pick(PATHS),
          response_code: pick([200, 0, "404", null]),
          response_flags: pick(["-", "NR", "UF,URX"]),
          downstream_remote_address: pick(["10.0.0.1:5", "[2001:db8::1]:443", "bad", "203.0.113.1:80"]),
          "x-forwarded-for": pick(["203.0.113.9", "1.1.1.1, 10.0.0.2", null]),
          "user-agent": pick(UAS),
          "x-key-id": pick(KEYS),
        })}`,
  litellm: () =>
    JSON.stringify({
      request_id: pick(["chatcmpl-1", "", 5]),
      call_type: pick(["acompletion", "", "aembedding"]),
      api_key: pick([...KEYS, "sk-litellm-0123456789abcdef"]),
      startTime: pick(TIMES_ISO),
      endTime: pick(TIMES_ISO),
      model: pick(["opus-4", "", null]),
      prompt_tokens: pick([1, -1, "3"]),
      completion_tokens: pick([2, null]),
      requester_ip_address: pick(IPS),
      status: pick(["success", "failure", undefined, "weird"]),
      metadata: { error_information: { error_code: pick(["429", "abc", 503]) } },
    }),
  cloudflare: () =>
    JSON.stringify({
      EdgeStartTimestamp: pick([1795000000000000000, "1795000000000000000", 1795000000, "2026-11-24T10:00:00Z", "x"]),
      ClientIP: pick(IPS),
      ClientASN: pick([64496, -1, "x"]),
      ClientCountry: pick(["us", "T1", "xxx", ""]),
      ClientRequestMethod: pick(["GET", "POST", ""]),
      ClientRequestURI: pick(PATHS),
      ClientRequestUserAgent: pick(UAS),
      EdgeResponseStatus: pick([200, 404, 999]),
      RayID: pick(["7f1a2b3c", ""]),
      RequestHeaders: { "x-key-id": pick(KEYS), authorization: pick(["Bearer abcdefghijkl", "-"]) },
    }),
};

const NASTY = ["\u0000", "\u0007", "\u001b[31m", "\r", "\t", "\u007f", "\ufffd", "\ud800", "\udfff", "\ud83d\ude00", '"', "\\", "{", "}", "[", "]", " ", "\u2028"];

function mutate(line: string, format: LogFormat): string {
  switch (int(9)) {
    case 0: // truncation
      return line.slice(0, int(line.length + 1));
    case 1: {
      // control characters, invalid UTF-8 as decoded text (U+FFFD, lone surrogates), quotes
      let s = line;
      for (let k = 1 + int(4); k > 0; k--) {
        const at = int(s.length + 1);
        s = s.slice(0, at) + pick(NASTY) + s.slice(at);
      }
      return s;
    }
    case 2: {
      // wrong types in JSON
      if (line.indexOf("{") < 0) return line.replace(/\d+/, "abc");
      const at = line.indexOf("{");
      try {
        const o = JSON.parse(line.slice(at)) as Record<string, unknown>;
        const keys = Object.keys(o);
        for (let k = 1 + int(3); k > 0; k--) o[pick(keys)] = weird();
        return line.slice(0, at) + JSON.stringify(o);
      } catch {
        return line;
      }
    }
    case 3: // delete a range
      return ((a: number) => line.slice(0, a) + line.slice(a + int(20)))(int(line.length));
    case 4: // duplicate a range
      return ((a: number) => line.slice(0, a) + line.slice(a, a + int(40)) + line.slice(a))(int(line.length));
    case 5: // random bytes decoded as latin1 or with replacement characters
      return Array.from({ length: int(200) }, () => String.fromCharCode(rnd() < 0.5 ? int(256) : pick([0xfffd, 0xd800, 0x20]))).join("");
    case 6: // swap two characters repeatedly
      return line
        .split("")
        .map((c, i, a) => (rnd() < 0.02 ? a[(i + 1) % a.length] : c))
        .join("");
    case 7: // a line of another format
      return GENERATORS[pick(FORMATS.filter((f) => f !== format))]();
    default: // unchanged (valid-ish)
      return line;
  }
}

function check(parse: LineParser, line: string) {
  let r;
  try {
    r = parse(line);
  } catch (err) {
    throw new Error(`parser threw on ${JSON.stringify(line.slice(0, 200))}: ${String(err)}`);
  }
  if (r.ok) {
    const z = CanonicalEventSchema.safeParse(r.event);
    if (!z.success) throw new Error(`accepted event fails the schema for ${JSON.stringify(line.slice(0, 200))}: ${JSON.stringify(z.error.issues)} ${JSON.stringify(r.event)}`);
    expect(Array.isArray(r.secretsStripped)).toBe(true);
    return true;
  }
  if (typeof r.reason !== "string" || r.reason.length === 0 || r.reason.length > 120) throw new Error(`bad reason ${JSON.stringify(r)}`);
  return false;
}

const deep = (n: number) => `{"ts":"2026-11-24T10:00:00Z","method":"GET","path":"/","status":200,"x":${"[".repeat(n)}${"]".repeat(n)}}`;
const deepObj = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

describe("parser fuzzing (seeded)", () => {
  for (const format of FORMATS) {
    it(`${format}: 10,000 generated and mutated lines never throw; accepted events pass the schema`, () => {
      const parse = parserFor(format);
      let accepted = 0;
      for (let i = 0; i < 10_000; i++) {
        const base = GENERATORS[format]();
        const line = rnd() < 0.3 ? base : mutate(rnd() < 0.2 ? mutate(base, format) : base, format);
        if (check(parse, line)) accepted++;
      }
      // huge fields and lines (1 MB), deep nesting (10k levels)
      const big = "A".repeat(1 << 20);
      for (const line of [big, `${GENERATORS[format]()}${big}`, GENERATORS[format]().replace(/curl\/8\.5\.0|opus-4|\/v1\/models/, big), deep(10_000), deepObj(10_000), "{".repeat(10_000)]) {
        const r = parse(line);
        check(parse, line);
        if (line.length > MAX_LINE) expect(r.ok).toBe(false);
      }
      // the generators produce valid lines often enough for the schema check to mean something
      expect(accepted).toBeGreaterThan(100);
    });
  }

  it("every format's parser survives every other format's lines", () => {
    const parsers = FORMATS.map((f) => parserFor(f));
    for (let i = 0; i < 2_000; i++) {
      const line = mutate(GENERATORS[pick(FORMATS)](), "jsonl");
      for (const p of parsers) check(p, line);
    }
  });
});

describe("fast checks agree with zod", () => {
  it("isIpv4 accepts exactly what z.ipv4() accepts; whatever isIpv6 accepts, z.ipv6() accepts", () => {
    const v4 = z.ipv4();
    const v6 = z.ipv6();
    const alphabet = "0123456789abcdefABCDEF::::....";
    const samples = ["::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8", "1:::2", "fe80::1%eth0", "::ffff:1.2.3.4", "01.2.3.4", "255.255.255.255", "256.1.1.1", "1.2.3.4.5", "12345::", ":1::"];
    for (let i = 0; i < 20_000; i++) {
      const n = int(40);
      let s = "";
      for (let k = 0; k < n; k++) s += alphabet[int(alphabet.length)];
      samples.push(s);
      samples.push(`${int(300)}.${int(300)}.${int(300)}.${int(300)}`);
    }
    let agreeV6 = 0;
    for (const s of samples) {
      expect([s, isIpv4(s)]).toEqual([s, v4.safeParse(s).success]);
      // zod's ipv6 also accepts embedded IPv4 ("::1.2.3.4"); the fast check refuses those (normalizeIp maps
      // "::ffff:1.2.3.4" to IPv4 first), so the contract is one-way: fast-accepted ⇒ zod-accepted.
      const zod6 = v6.safeParse(s).success;
      if (isIpv6(s)) expect([s, zod6]).toEqual([s, true]);
      if (isIpv6(s) === zod6) agreeV6++;
    }
    expect(agreeV6 / samples.length).toBeGreaterThan(0.99);
  }, 30_000); // a 2-core machine shared by several suites can be slow

  it("parseIso agrees with Date.parse on valid timestamps", () => {
    for (let i = 0; i < 5_000; i++) {
      const ms = 946_684_800_000 + Math.floor(rnd() * 4_000_000_000_000);
      const off = pick([0, 60, -420, 330, 840]);
      const d = new Date(ms + off * 60_000);
      const p = (n: number, w = 2) => String(n).padStart(w, "0");
      const zone = off === 0 ? "Z" : `${off > 0 ? "+" : "-"}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
      const text = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${zone}`;
      expect([text, parseIso(text)]).toEqual([text, Date.parse(text)]);
    }
  });
});
