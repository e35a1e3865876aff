import { Secret, TOTP } from "otpauth";
import { z } from "zod";
import type { Role } from "./roles";

// TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app reads
// them) and recovery codes: pure logic, no database.

export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Keyward";

/** Policy: these roles cannot use the portal without a second factor (enrolment comes first). */
export const TWO_FACTOR_REQUIRED_ROLES: readonly Role[] = ["vendor_manager", "security", "auditor"];

export function requiresTwoFactor(role: Role): boolean {
  return TWO_FACTOR_REQUIRED_ROLES.includes(role);
}

/** A fresh 160-bit secret, base32 (what authenticator apps take as the manual key). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label = "") {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** The otpauth:// URI the QR code carries. */
export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** The manual key in groups of four, for typing. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

export function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a time (tests, the demo and e2e compute codes with it). */
export function totpCode(secret: string, ms = Date.now()): string {
  return totp(secret).generate({ timestamp: ms });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "invalid" | "reused" };

/**
 * Checks a 6-digit code against the secret within ±TOTP_WINDOW steps. A code whose step is not after
 * `lastStep` (the last accepted one) is refused as reused: a code works once, even within its window.
 */
export function checkTotp(secret: string, code: string, lastStep: number | null, ms = Date.now()): TotpCheck {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: "invalid" };
  const delta = totp(secret).validate({ token, timestamp: ms, window: TOTP_WINDOW });
  if (delta === null) return { ok: false, reason: "invalid" };
  const step = stepAt(ms) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false, reason: "reused" };
  return { ok: true, step };
}

// Recovery codes: 10 characters from a 32-letter alphabet without look-alikes (no i, l, o, 1: 50 bits
// each), shown as xxxxx-xxxxx.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz023456789";

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    const raw = Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
    codes.push(`${raw.slice(0, 5)}-${raw.slice(5)}`);
  }
  return codes;
}

/** Lower case without spaces or dashes: what is hashed and compared. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, "");
}

export function looksLikeRecoveryCode(input: string): boolean {
  return /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(input));
}

export const SecondFactorSchema = z.object({
  code: z
    .string({ message: "Enter the 6-digit code from your authenticator app, or a recovery code" })
    .trim()
    .min(1, "Enter the 6-digit code from your authenticator app, or a recovery code")
    .max(40, "That is not a code"),
});

export const TotpCodeSchema = z.object({
  code: z
    .string({ message: "Enter the 6-digit code from your authenticator app" })
    .trim()
    .regex(/^\d{3}\s?\d{3}$/, "Enter the 6-digit code from your authenticator app"),
});
