import { createHmac, timingSafeEqual } from "node:crypto";

// Webhook signatures (issue 3), in the manner of GitHub's and Stripe's: HMAC-SHA256 keyed with the
// endpoint's secret (its text, as shown once on creation, UTF-8) over "<timestamp>.<body>", where the
// timestamp is the X-Keyward-Timestamp header (unix seconds) and the body is the raw request body.
// Deterministic; node:crypto is used only for the HMAC and the constant-time comparison.

export const SIGNATURE_HEADER = "X-Keyward-Signature";
export const TIMESTAMP_HEADER = "X-Keyward-Timestamp";
export const EVENT_HEADER = "X-Keyward-Event";
export const DELIVERY_HEADER = "X-Keyward-Delivery";
export const WEBHOOK_USER_AGENT = "Keyward-Webhooks/1";
/** A receiver should refuse a delivery whose timestamp is further than this from its clock (replays). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** "sha256=" + hex HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex")}`;
}

export type VerifyInput = {
  secret: string;
  /** The X-Keyward-Timestamp header as received. */
  timestamp: string | number | null;
  body: string;
  /** The X-Keyward-Signature header as received. */
  signature: string | null;
  /** With `now`, a timestamp more than `toleranceSeconds` away from it fails. */
  now?: Date;
  toleranceSeconds?: number;
};

/** True when the signature matches the body and timestamp (compared in constant time), and the timestamp is fresh when `now` is given. */
export function verifyWebhook(input: VerifyInput): boolean {
  const ts = typeof input.timestamp === "number" ? input.timestamp : /^\d{1,12}$/.test(input.timestamp ?? "") ? Number(input.timestamp) : NaN;
  if (!Number.isSafeInteger(ts) || !input.signature) return false;
  if (input.now && Math.abs(input.now.getTime() / 1000 - ts) > (input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhook(input.secret, ts, input.body), "utf8");
  const given = Buffer.from(input.signature, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
