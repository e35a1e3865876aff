import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "~/domain/webhook-signature";

const secret = "s3cr3t-Base64url_value";
const body = JSON.stringify({ id: "e1", event: "credential.revoked", occurredAt: "2026-11-24T10:00:00.000Z", data: { keyId: "kw_live_1", org: "acme" } });
const ts = 1_795_000_000;

describe("webhook signatures", () => {
  it('is "sha256=" + hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret', () => {
    const expected = createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex");
    expect(signWebhook(secret, ts, body)).toBe(`sha256=${expected}`);
    expect(signWebhook(secret, ts, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("verifies a signature made with the same secret, timestamp and body", () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook({ secret, timestamp: String(ts), body, signature })).toBe(true);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature })).toBe(true);
  });

  it("fails when the body, the timestamp, the secret or the signature changes", () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook({ secret, timestamp: ts, body: body.replace("kw_live_1", "kw_live_2"), signature })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body: `${body} `, signature })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts + 1, body, signature })).toBe(false);
    expect(verifyWebhook({ secret: `${secret}x`, timestamp: ts, body, signature })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature: signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0") })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature: signature.slice(7) })).toBe(false);
  });

  it("fails on missing or malformed headers", () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook({ secret, timestamp: null, body, signature })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: "12abc", body, signature })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature: null })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature: "" })).toBe(false);
  });

  it("with a clock, refuses timestamps more than 5 minutes away (replays)", () => {
    const signature = signWebhook(secret, ts, body);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature, now: new Date((ts + 300) * 1000) })).toBe(true);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature, now: new Date((ts + 301) * 1000) })).toBe(false);
    expect(verifyWebhook({ secret, timestamp: ts, body, signature, now: new Date((ts - 301) * 1000) })).toBe(false);
  });
});
