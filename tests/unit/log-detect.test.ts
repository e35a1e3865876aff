import { describe, expect, it } from "vitest";
import { detectFormat, type LogFormat } from "~/domain/log-parse";

const SAMPLES: Record<LogFormat, string[]> = {
  jsonl: [
    '{"ts":"2026-11-24T10:00:00Z","keyId":"kw_live_acme01","srcIp":"203.0.113.7","method":"POST","path":"/v1/models/opus-4/messages","status":200}',
    '{"time_iso8601":"2026-11-24T10:00:01+00:00","remote_addr":"10.0.0.1","request_uri":"/v1/models","request_method":"GET","status":"200","http_user_agent":"curl/8"}',
  ],
  nginx: [
    '203.0.113.7 - - [24/Nov/2026:10:00:00 +0000] "POST /v1/messages HTTP/1.1" 200 512 "-" "curl/8.5.0" "kw_live_acme01"',
    '172.17.0.1 - - [29/Sep/2021:12:37:05 +0000] "GET /start.php?pg=x HTTP/1.1" 404 196',
  ],
  apigw: [
    '{"requestId":"c6af9ac6-7b61","ip":"203.0.113.7","requestTime":"24/Nov/2026:10:00:00 +0000","httpMethod":"POST","resourcePath":"/v1/x","status":"200","responseLength":"12","apiKeyId":"abc123def"}',
  ],
  kong: [
    '{"request":{"method":"GET","uri":"/v1/models","headers":{"user-agent":"curl/8"}},"response":{"status":200,"size":10},"latencies":{"request":5},"client_ip":"192.0.2.1","started_at":1795000000000,"consumer":{"username":"kw_live_acme01"}}',
  ],
  envoy: [
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0" "locations" "tcp://10.0.2.1:80"',
    '2025-12-31T17:40:00.000000100+01:00 stdout F {"start_time":"2025-12-31T16:40:00.100Z","method":"GET","x-envoy-origin-path":"/page-01","response_code":404,"user-agent":"Mozilla/5.0","downstream_remote_address":"10.0.0.13:40000"}',
  ],
  litellm: [
    '{"request_id":"chatcmpl-1","call_type":"acompletion","api_key":"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b","spend":0.1,"startTime":"2026-11-24T10:00:00Z","endTime":"2026-11-24T10:00:01Z","model":"opus-4","prompt_tokens":3,"completion_tokens":4}',
  ],
  cloudflare: [
    '{"ClientIP":"198.51.100.2","ClientASN":64496,"ClientCountry":"us","ClientRequestMethod":"GET","ClientRequestURI":"/v1/models","EdgeResponseStatus":200,"EdgeStartTimestamp":1795000000000000000,"RayID":"7f1a2b3c4d5e6f70"}',
  ],
};

describe("detectFormat", () => {
  for (const [format, lines] of Object.entries(SAMPLES) as [LogFormat, string[]][]) {
    it(`detects ${format} from one line and from several`, () => {
      expect(detectFormat([lines[0]])).toMatchObject({ format });
      const five = Array.from({ length: 5 }, (_, i) => lines[i % lines.length]);
      expect(detectFormat(five)).toMatchObject({ format });
    });
  }

  it("counts nginx lines by shape, so a file of malformed requests is still nginx", () => {
    const junk = '1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "\\x16\\x03\\x01\\x00t\\x01" 400 157 "-" "-"';
    expect(detectFormat([junk, junk, '1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "HELP" 400 157 "-" "-"'])).toMatchObject({ format: "nginx" });
  });

  it("detects a mixed Envoy file (JSON and default text behind the runtime prefix)", () => {
    expect(detectFormat([SAMPLES.envoy[1], `2026-01-24T01:37:00.000000000+00:00 stdout F ${SAMPLES.envoy[0]}`])).toMatchObject({ format: "envoy" });
  });

  it("ignores blank lines and a byte-order mark; one stray line does not outvote the rest", () => {
    expect(detectFormat(["", `\ufeff${SAMPLES.nginx[0]}`, "  ", SAMPLES.nginx[1], "garbage"])).toMatchObject({ format: "nginx" });
  });

  it("refuses an AWS ALB log clearly", () => {
    const alb =
      'https 2023-04-26T12:23:00.186641Z app/546213e5-apiexamplecom-api-94aa/490d68edf04676fe 192.168.1.11:44740 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/robots.txt HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "-" 1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-"';
    const d = detectFormat([alb, alb]);
    expect(d.format).toBeNull();
    if (d.format === null) expect(d.reason).toMatch(/AWS ALB.*not a supported format/);
  });

  it("refuses binary data, empty input, an nginx error log and unknown JSON, each with its reason", () => {
    const binary = String.fromCharCode(...Array.from({ length: 200 }, (_, i) => (i * 37) % 256));
    const reasonOf = (lines: string[]) => {
      const d = detectFormat(lines);
      if (d.format !== null) throw new Error(`expected no format, got ${d.format}`);
      return d.reason;
    };
    expect(reasonOf([binary, "\u0000\u0001\u0002\ufffd\ufffd"])).toMatch(/binary/);
    expect(reasonOf([])).toMatch(/empty/);
    expect(reasonOf(["", "   "])).toMatch(/empty/);
    expect(reasonOf(['2021/12/01 13:53:33 [error] 31#31: *46 open() failed, client: 172.17.0.1, request: "GET / HTTP/1.1"'])).toMatch(/error log/);
    expect(reasonOf(['{"hello":"world"}', '{"n":1}'])).toMatch(/--map/);
    expect(reasonOf(["just some text", "more text"])).toMatch(/not a supported format/);
  });
});
