import { describe, expect, it } from "vitest";
import { BAD_REQUEST_LINE } from "~/domain/log-formats/access-line";
import { expectNoSecret, parseOk, parseRejected } from "../../support/log-parse";

const T = "[24/Nov/2026:10:00:00 +0000]";
const TS = Date.UTC(2026, 10, 24, 10, 0, 0);

describe("nginx combined, CLF and the keyward log_format", () => {
  it("reads combined followed by the key id field", () => {
    const { event, secrets } = parseOk("nginx", `203.0.113.7 - - ${T} "POST /v1/models/opus-4/messages?stream=true HTTP/1.1" 200 5120 "-" "anthropic-sdk-python/0.40.0" "kw_live_acme01"`);
    expect(event).toEqual({
      ts: TS,
      requestId: null,
      keyRef: "kw_live_acme01",
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
      bytes: 5120,
      latencyMs: null,
      tokensIn: null,
      tokensOut: null,
    });
    expect(secrets).toEqual([]);
  });

  it("reads plain combined (no key: per-IP rules still run) and converts the zone offset", () => {
    const { event } = parseOk("nginx", `127.0.0.1 - - [29/Sep/2021:14:11:34 +0200] "HEAD / HTTP/1.1" 200 0 "-" "Mozilla/5.00 (Nikto/2.1.5) (Evasions:None) (Test:Port Check)"`);
    expect(event.ts).toBe(Date.UTC(2021, 8, 29, 12, 11, 34));
    expect(event.keyRef).toBeNull();
    expect(event.keyRefKind).toBeNull();
    expect(event.method).toBe("HEAD");
    expect(event.userAgent).toContain("Nikto");
    const west = parseOk("nginx", `1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "GET / HTTP/1.1" 400 157 "-" "-"`).event;
    expect(west.ts).toBe(Date.UTC(2023, 6, 29, 17, 26, 6));
    expect(west.userAgent).toBe(""); // "-" = the client sent none: the scanner rule's "empty user agent"
  });

  it("reads Common Log Format (no referer, no user agent: userAgent is unknown, null)", () => {
    const { event } = parseOk("nginx", `172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] "GET /start.php?lang=http://cirt.net/rfiinc.txt? HTTP/1.1" 404 196`);
    expect(event.path).toBe("/start.php");
    expect(event.userAgent).toBeNull();
    expect(event.bytes).toBe(196);
    expect(event.status).toBe(404);
  });

  it("accepts a leading virtual host (with or without port), a named user and a missing user dash", () => {
    const tail = `${T} "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0"`;
    expect(parseOk("nginx", `www.crowdsec.net 192.168.1.1 - - ${tail}`).event.srcIp).toBe("192.168.1.1");
    expect(parseOk("nginx", `www.crowdsec11.net:80 192.168.1.1 - - ${tail}`).event.srcIp).toBe("192.168.1.1");
    expect(parseOk("nginx", `192.168.1.1 - user123 ${tail}`).event.srcIp).toBe("192.168.1.1");
    expect(parseOk("nginx", `192.168.1.1 - ${tail}`).event.path).toBe("/api/test");
  });

  it("accepts IPv6 and IPv4-mapped client addresses", () => {
    expect(parseOk("nginx", `2001:DB8::1 - - ${T} "GET / HTTP/2.0" 200 1 "-" "x"`).event.srcIp).toBe("2001:db8::1");
    expect(parseOk("nginx", `::ffff:198.51.100.9 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x"`).event.srcIp).toBe("198.51.100.9");
  });

  it("treats '-' bytes as unknown and '-' key as no key", () => {
    const { event } = parseOk("nginx", `10.0.0.1 - - ${T} "GET /v1/models HTTP/1.1" 304 - "-" "curl/8" "-"`);
    expect(event.bytes).toBeNull();
    expect(event.keyRef).toBeNull();
  });

  it("does not take nginx's default `main` trailing X-Forwarded-For for a key id", () => {
    expect(parseOk("nginx", `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8" "203.0.113.9, 10.0.0.2"`).event.keyRef).toBeNull();
    expect(parseOk("nginx", `10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8" "2001:db8::7"`).event.keyRef).toBeNull();
  });

  it("keeps escaped quotes inside fields as logged (Apache \\\" and nginx \\x22)", () => {
    const apache = parseOk("nginx", `10.0.0.1 - - ${T} "GET /a HTTP/1.1" 200 1 "-" "evil \\"quoted\\" agent" "kw_1234567"`).event;
    expect(apache.userAgent).toBe('evil \\"quoted\\" agent');
    expect(apache.keyRef).toBe("kw_1234567");
    const nginx = parseOk("nginx", `10.0.0.1 - - ${T} "GET /a\\x22b HTTP/1.1" 200 1 "-" "ua\\x22x"`).event;
    expect(nginx.path).toBe("/a\\x22b");
    expect(nginx.userAgent).toBe("ua\\x22x");
  });

  it("keeps percent-encoding as logged and caps path and user agent", () => {
    expect(parseOk("nginx", `127.0.0.1 - - ${T} "GET /%252E%252E%252Ffoo1 HTTP/1.1" 404 162 "-" "curl/7.68.0"`).event.path).toBe("/%252E%252E%252Ffoo1");
    const long = parseOk("nginx", `127.0.0.1 - - ${T} "GET /${"a".repeat(5000)} HTTP/1.1" 414 0 "-" "${"U".repeat(900)}"`).event;
    expect(long.path.length).toBe(2048);
    expect(long.userAgent!.length).toBe(512);
  });

  it("accepts probes whose target holds a raw space and no protocol, and absolute-form targets", () => {
    const { event } = parseOk("nginx", `172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] "GET /studip/archiv_assi.php?cmd=ls -al&X=http://cirt.net/rfiinc.txt??" 400 226`);
    expect(event.path).toBe("/studip/archiv_assi.php");
    expect(parseOk("nginx", `1.2.3.4 - - ${T} "GET http://example.com/x HTTP/1.1" 400 0 "-" "-"`).event.path).toBe("http://example.com/x");
  });

  it("refuses request fields that are not METHOD PATH PROTOCOL, with a reason", () => {
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "HELP" 400 157 "-" "-"`)).toBe(BAD_REQUEST_LINE);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "batman" 400 157 "-" "-"`)).toBe(BAD_REQUEST_LINE);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "\\x16\\x03\\x01\\x00t\\x01\\x00\\x00p\\x03\\x01YF}" 400 157 "-" "-"`)).toBe(BAD_REQUEST_LINE);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "Gh0st\\xAD\\x00 junk with spaces" 400 157 "-" "-"`)).toBe(BAD_REQUEST_LINE);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "-" 400 0 "-" "-"`)).toMatch(/empty request line/);
  });

  it("refuses an nginx error-log line and other non-access lines, with a reason", () => {
    expect(parseRejected("nginx", `2021/12/01 13:53:33 [error] 31#31: *46 "/usr/share/nginx/html/market/index.html" is not found (2: No such file or directory), client: 172.17.0.1, server: localhost, request: "GET /market/ HTTP/1.1", host: "localhost"`)).toMatch(/error-log/);
    expect(parseRejected("nginx", "hello world")).toMatch(/no \[time\]/);
    expect(parseRejected("nginx", `1.2.3.4 - - [99/Foo/2021:00:00:00 +0000] "GET / HTTP/1.1" 200 1`)).toMatch(/time is not/);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "GET / HTTP/1.1" OK 1`)).toMatch(/status/);
    expect(parseRejected("nginx", `1.2.3.4 - - ${T} "GET / HTTP/1.1`)).toMatch(/unterminated/);
    expect(parseRejected("nginx", `not-an-ip - - ${T} "GET / HTTP/1.1" 200 1`)).toMatch(/IP address/);
  });

  it("drops secrets from the query string, the key field and the user agent, and names them", () => {
    const secret = "sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA";
    const q = parseOk("nginx", `1.2.3.4 - - ${T} "GET /v1/models?api_key=${secret}&x=1 HTTP/1.1" 200 1 "https://app.example/?token=abc123" "curl/8"`);
    expect(q.event.path).toBe("/v1/models");
    expect(q.secrets).toEqual(["referer.query.token", "query.api_key"]);
    expectNoSecret(q, secret);

    const k = parseOk("nginx", `1.2.3.4 - - ${T} "GET /v1/models HTTP/1.1" 200 1 "-" "curl/8" "Bearer ${secret}"`);
    expect(k.event.keyRef).toBeNull();
    expect(k.secrets).toEqual(["keyRef"]);
    expectNoSecret(k, secret);

    const ua = parseOk("nginx", `1.2.3.4 - - ${T} "GET /v1/models HTTP/1.1" 200 1 "-" "my-bot (Authorization: Bearer abcdefghijklmnop)"`);
    expect(ua.event.userAgent).toBe("my-bot (Authorization: Bearer [redacted])");
    expect(ua.secrets).toEqual(["userAgent"]);
  });

  it("tolerates CRLF line endings", () => {
    expect(parseOk("nginx", `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8" "kw_live_acme01"\r`).event.keyRef).toBe("kw_live_acme01");
  });
});
