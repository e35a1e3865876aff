import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CanonicalEventSchema } from "~/domain/log-event-schema";
import { BAD_REQUEST_LINE } from "~/domain/log-formats/access-line";
import { detectFormat, parserFor } from "~/domain/log-parse";

// Real access-log samples written outside this project (crowdsecurity/hub test fixtures, MIT; see the
// README beside them). Present in CI and on every development machine; under CI=true a missing folder fails.
const DIR = path.resolve(import.meta.dirname, "../../../shared/datasets/real-logs");
const present = fs.existsSync(DIR);
if (!present && process.env.CI === "true") throw new Error(`real log samples missing: ${DIR}`);

function linesOf(file: string): string[] {
  // latin1: the files hold nginx's \xNN escapes as text, and keep any raw byte as one character.
  return fs
    .readFileSync(path.join(DIR, file), "latin1")
    .split("\n")
    .filter((l) => l.trim() !== "");
}

function parseFile(file: string) {
  const lines = linesOf(file);
  const detected = detectFormat(lines.slice(0, 5));
  if (detected.format === null) throw new Error(`${file}: ${detected.reason}`);
  const parse = parserFor(detected.format);
  const results = lines.map((l) => parse(l));
  for (const r of results) {
    if (r.ok) expect(CanonicalEventSchema.safeParse(r.event).success).toBe(true);
    else expect(r.reason).toMatch(/\S/);
  }
  return { format: detected.format, lines, results, parsed: results.filter((r) => r.ok).length };
}

const NGINX_FILES = [
  "nginx_http-logs.log",
  "nginx-bad-user-agent.log",
  "nginx-http-sensitive-files.log",
  "nginx-http-path-traversal.log",
  "nginx-http-sqli-probing.log",
  "apache-http-probing.log",
];

describe.skipIf(!present)("real log samples", () => {
  // nginx_http-logs.log (8 of 9: one nginx error-log line) and nginx-http-malformed.log (all binary probes)
  // have their own tests below; the aggregate over all of them is checked too.
  for (const file of NGINX_FILES.filter((f) => f !== "nginx_http-logs.log")) {
    it(`${file}: detected as nginx, at least 90% parsed, every rejection explained`, () => {
      const { format, lines, parsed } = parseFile(file);
      expect(format).toBe("nginx");
      expect(parsed / lines.length).toBeGreaterThanOrEqual(0.9);
    });
  }

  it("nginx_http-logs.log: vhost prefixes and a missing user dash parse; the error-log line is refused as such", () => {
    const { results, lines } = parseFile("nginx_http-logs.log");
    const rejected = results.flatMap((r, i) => (r.ok ? [] : [{ line: lines[i], reason: r.reason }]));
    expect(rejected).toHaveLength(1);
    expect(rejected[0].line).toMatch(/\[error\]/);
    expect(rejected[0].reason).toMatch(/error-log/);
    const ok = results.flatMap((r) => (r.ok ? [r.event] : []));
    expect(ok.every((e) => e.srcIp === "192.168.1.1")).toBe(true);
  });

  it("nginx-http-malformed.log: detected as nginx; every binary or pathless request refused with the request-line reason", () => {
    const { format, results } = parseFile("nginx-http-malformed.log");
    expect(format).toBe("nginx");
    expect(results.length).toBeGreaterThanOrEqual(10);
    for (const r of results) expect(r).toEqual({ ok: false, reason: BAD_REQUEST_LINE });
  });

  it("the nginx/Apache samples together: at least 90% parsed", () => {
    let lines = 0;
    let parsed = 0;
    for (const f of [...NGINX_FILES, "nginx-http-malformed.log"]) {
      const r = parseFile(f);
      lines += r.lines.length;
      parsed += r.parsed;
    }
    expect(parsed / lines).toBeGreaterThanOrEqual(0.9);
  });

  it("envoy-gateway-json.log: JSON and default text behind the runtime prefix, all parsed", () => {
    const { format, results } = parseFile("envoy-gateway-json.log");
    expect(format).toBe("envoy");
    expect(results.every((r) => r.ok)).toBe(true);
    const events = results.flatMap((r) => (r.ok ? [r.event] : []));
    expect(events.find((e) => e.path === "/.env")).toMatchObject({ method: "HEAD", status: 404, srcIp: "172.16.2.33", userAgent: "curl/8.5.0" });
    expect(events.find((e) => e.requestId === "multi-ip-clf-v4")).toMatchObject({ srcIp: "192.168.1.100", latencyMs: 30, bytes: 512 });
  });

  it("envoy-http-crawl-non_statics.log: 41 pages from one source", () => {
    const { format, results } = parseFile("envoy-http-crawl-non_statics.log");
    expect(format).toBe("envoy");
    const events = results.flatMap((r) => (r.ok ? [r.event] : []));
    expect(events).toHaveLength(41);
    expect(new Set(events.map((e) => e.srcIp))).toEqual(new Set(["10.0.0.13"]));
    expect(new Set(events.map((e) => e.path)).size).toBe(41);
  });

  it("aws-alb-logs.log: refused by detection as an unsupported format", () => {
    const d = detectFormat(linesOf("aws-alb-logs.log").slice(0, 5));
    expect(d.format).toBeNull();
    if (d.format === null) expect(d.reason).toMatch(/AWS ALB.*not a supported format/);
  });

  it("every sample file is covered by this test", () => {
    const covered = new Set([...NGINX_FILES, "nginx-http-malformed.log", "envoy-gateway-json.log", "envoy-http-crawl-non_statics.log", "aws-alb-logs.log"]);
    expect(fs.readdirSync(DIR).filter((f) => f.endsWith(".log") && !covered.has(f))).toEqual([]);
  });
});
