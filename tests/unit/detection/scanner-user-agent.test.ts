import { describe, expect, it } from "vitest";
import { createScannerUserAgent, rule, scannerIn } from "~/domain/detection/scanner-user-agent";
import type { DetectionEvent, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const H = 3_600_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "gobuster/3.6", method: "GET", path: "/v1/models/x", endpoint: null, model: null, status: 404, ...over };
}
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("scannerIn", () => {
  it("recognises the scanners' real user agents, in any case", () => {
    const seen: Record<string, string> = {
      "gobuster/3.6": "gobuster",
      "Fuzz Faster U Fool v2.1.0-dev": "fuzz faster u fool",
      "ffuf/2.1.0": "ffuf",
      "Mozilla/5.0 (compatible; dirb)": "dirb",
      "DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)": "dirbuster",
      "feroxbuster/2.10.1": "feroxbuster",
      "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)": "nikto",
      "sqlmap/1.7.2#stable (https://sqlmap.org)": "sqlmap",
      "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)": "nuclei",
      "Wfuzz/3.1.0": "wfuzz",
      "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)": "nmap",
      "masscan/1.3 (https://github.com/robertdavidgraham/masscan)": "masscan",
      "Mozilla/5.0 zgrab/0.x": "zgrab",
      "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)": "wpscan",
      "Mozilla/5.0 (Windows NT 10.0) Acunetix-Product": "acunetix",
      "Mozilla/5.0 (compatible; Nessus)": "nessus",
      "OpenVAS-VT 22.4": "openvas",
      "Mozilla/4.0 (Hydra)": "hydra",
      "Arachni/v1.5.1": "arachni",
      "w3af.org": "w3af",
    };
    for (const [ua, tool] of Object.entries(seen)) expect(scannerIn(ua), ua).toBe(tool);
  });

  it("never flags generic clients and SDKs", () => {
    for (const ua of [
      "curl/8.4.0",
      "python-requests/2.31.0",
      "Go-http-client/1.1",
      "Go-http-client/2.0",
      "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
      "axios/1.6.2",
      "okhttp/4.12.0",
      "python-httpx/0.27.0",
      "Anthropic/Python 0.39.0",
      "OpenAI/JS 4.20.1",
      "aiohttp/3.9",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    ]) {
      expect(scannerIn(ua), ua).toBeNull();
    }
  });

  it("matches whole tokens only", () => {
    expect(scannerIn("libnmapper/1.0")).toBeNull();
    expect(scannerIn("hydrant-sdk/2")).toBeNull();
    expect(scannerIn("burpee-client")).toBeNull();
    expect(scannerIn("my-tool (uses nuclei)")).toBe("nuclei");
  });
});

describe("scanner_user_agent", () => {
  it("fires high on one request from a scanner", () => {
    const f = rule.create().observe(ev(), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "scanner_user_agent", severity: "high", srcIp: "203.0.113.9", credentialId: "cred-a", windowMs: H });
    expect(f[0].summary).toBe('Key kw_a from 203.0.113.9 sent the user agent "gobuster/3.6", which names the scanning tool gobuster (GET /v1/models/x, answered 404; threshold: 1 request; repeats within 1 h update this flag).');
  });

  it("fires medium when the client sent no user agent", () => {
    for (const userAgent of ["", "  ", "-"]) {
      const f = rule.create().observe(ev({ userAgent }), ctx());
      expect(f.map((x) => x.severity)).toEqual(["medium"]);
      expect(f[0].summary).toContain("sent no user agent");
    }
  });

  it("never fires when the log format records no user agent (null), nor on a generic client", () => {
    const r = rule.create();
    expect(r.observe(ev({ userAgent: null }), ctx())).toEqual([]);
    expect(r.observe(ev({ userAgent: "curl/8.4.0" }), ctx())).toEqual([]);
    expect(r.observe(ev({ userAgent: "python-requests/2.31.0" }), ctx())).toEqual([]);
  });

  it("fires at most once per source IP per window, again on escalation from medium to high", () => {
    const r = rule.create();
    const sev = (over: Partial<DetectionEvent>) => r.observe(ev(over), ctx()).map((x) => x.severity);
    expect(sev({ userAgent: "" })).toEqual(["medium"]);
    expect(sev({ userAgent: "", ts: T0 + 1 })).toEqual([]);
    expect(sev({ ts: T0 + 2 })).toEqual(["high"]); // escalation
    expect(sev({ ts: T0 + 3, userAgent: "sqlmap/1.7" })).toEqual([]);
    expect(sev({ ts: T0 + 4, userAgent: "" })).toEqual([]);
    expect(sev({ ts: T0 + 2 + H - 1 })).toEqual([]);
    expect(sev({ ts: T0 + 2 + H })).toEqual(["high"]); // a new window
    expect(sev({ ts: T0 + 2 + H, srcIp: "198.51.100.1" })).toEqual(["high"]); // another IP
  });

  it("falls back to the credential when the event has no source IP", () => {
    const r = rule.create();
    expect(r.observe(ev({ srcIp: null }), ctx())).toHaveLength(1);
    expect(r.observe(ev({ srcIp: null, ts: T0 + 1 }), ctx())).toEqual([]);
    expect(r.observe(ev({ srcIp: null, ts: T0 + 2, credentialId: "cred-b" }), ctx())).toHaveLength(1);
  });

  it("takes its window from settings", () => {
    const r = rule.create();
    const c = ctx({ settings: { windowMs: 1000 } });
    expect(r.observe(ev(), c)).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + 999 }), c)).toEqual([]);
    expect(r.observe(ev({ ts: T0 + 1000 }), c)).toHaveLength(1);
  });

  it("keeps at most 100k subjects while 1M distinct IPs scan within one window", () => {
    const r = createScannerUserAgent();
    const c = ctx();
    let findings = 0;
    const e = ev({ credentialId: null, keyRef: null });
    for (let i = 0; i < 1_000_000; i++) {
      e.ts = T0 + i;
      e.srcIp = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      findings += r.observe(e, c).length;
    }
    expect(findings).toBe(1_000_000);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100_000);
  }, 30_000);

  it("forgets idle IPs once the window has passed", () => {
    const r = createScannerUserAgent();
    for (let i = 0; i < 5000; i++) r.observe(ev({ ts: T0 + i, srcIp: `10.0.${i >> 8}.${i & 255}` }), ctx());
    expect(r.trackedSubjects()).toBe(5000);
    for (let i = 0; i < 5000; i++) r.observe(ev({ ts: T0 + 2 * H + i, srcIp: `10.1.${i >> 8}.${i & 255}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThan(5100);
  });
});
