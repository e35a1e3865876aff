import { describe, expect, it } from "vitest";
import { eventKey, eventKeyOf } from "~/domain/event-key";

// Stored events are unique on (ts, eventKey): the key must stay exactly what it was when they were
// stored, or a re-import after an upgrade would store them twice. The reference below is the original
// definition: cyrb53 of the fields joined by U+0001.
function cyrb53(str: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
type F = Parameters<typeof eventKeyOf>;
const reference = (...f: F) => cyrb53(f.map((v) => (v == null ? "" : String(v))).join("\u0001"));

describe("event identity", () => {
  it("is the hash of the joined fields, as stored keys were made", () => {
    expect(eventKeyOf("req_1", "kw_live_a", "198.51.100.7", "POST", "/v1/models/atlas-2/messages", 200, 1234, "curl/8.5.0", 17)).toBe(1224117042062752);
    expect(eventKeyOf(null, null, null, "GET", "/", 404, null, null, null)).toBe(676023913331242);
  });

  it("matches the reference on varied fields: absent ones, unicode, separators inside values, fractions", () => {
    const values: F[] = [
      ["r", "k", "::1", "GET", "/v1/models", 200, 0, "", 0],
      [undefined, "k", undefined, "POST", "/ü/ß?q=✓", 503, 12.5, "Mozilla/5.0 (X11; Linux x86_64)", 1e-3],
      ["a\u0001b", null, "203.0.113.9", "DELETE", "/x\u0001y", 404, null, "ua\u0001", null],
      ["", "", "", "", "", 0, null, "", null],
    ];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const word = () => String.fromCharCode(...Array.from({ length: Math.floor(rnd() * 12) }, () => 1 + Math.floor(rnd() * 0x2fff)));
    for (let i = 0; i < 500; i++) values.push([rnd() < 0.3 ? null : word(), word(), rnd() < 0.2 ? null : word(), word(), word(), Math.floor(rnd() * 600), rnd() < 0.5 ? null : Math.floor(rnd() * 1e6), rnd() < 0.2 ? null : word(), rnd() < 0.5 ? null : rnd() * 100]);
    for (const v of values) expect(eventKeyOf(...v)).toBe(reference(...v));
  });

  it("is the same through eventKey() on an event object, and differs when any field does", () => {
    const e = { ts: 1, requestId: "r", keyRef: "k", srcIp: "198.51.100.1", method: "POST", path: "/v1/x", status: 200, bytes: 10, userAgent: "curl/8", latencyMs: 5 };
    expect(eventKey(e)).toBe(eventKeyOf("r", "k", "198.51.100.1", "POST", "/v1/x", 200, 10, "curl/8", 5));
    for (const [k, v] of Object.entries({ requestId: "r2", keyRef: "k2", srcIp: "198.51.100.2", method: "GET", path: "/v1/y", status: 201, bytes: 11, userAgent: "curl/9", latencyMs: 6 })) {
      expect(eventKey({ ...e, [k]: v })).not.toBe(eventKey(e));
    }
  });
});
