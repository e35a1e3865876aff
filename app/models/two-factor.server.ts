import { and, eq, isNull, lt, or } from "drizzle-orm";
import QRCode from "qrcode";
import { getDb } from "../../db/client";
import { loginFailures, sessions } from "../../db/schema";
import { recoveryCodes, twoFactors } from "../../db/schema-account";
import type { ActionContext, Actor } from "~/domain/actor";
import {
  checkTotp,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  totpUri,
  type TotpCheck,
} from "~/domain/two-factor";
import { hashPassword, verifyPassword } from "~/password.server";
import { writeAudit } from "./audit.server";
import { loginRetryAfter, recordLoginFailure } from "./login-failure.server";

// A user's TOTP second factor and recovery codes. Every check of a code is throttled like passwords
// (5 failures per user or per IP within 15 minutes lock further attempts) and consumes the code.

export type TwoFactorStatus = { enabled: boolean; enabledAt: Date | null; recoveryCodesLeft: number };

export function twoFactorStatus(userId: string): TwoFactorStatus {
  const db = getDb();
  const row = db.select({ enabledAt: twoFactors.enabledAt }).from(twoFactors).where(eq(twoFactors.userId, userId)).get();
  const left = row?.enabledAt
    ? db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))).all().length
    : 0;
  return { enabled: !!row?.enabledAt, enabledAt: row?.enabledAt ?? null, recoveryCodesLeft: left };
}

export function hasTwoFactor(userId: string): boolean {
  const row = getDb().select({ enabledAt: twoFactors.enabledAt }).from(twoFactors).where(eq(twoFactors.userId, userId)).get();
  return !!row?.enabledAt;
}

export type Enrolment = { secret: string; uri: string; qrSvgDataUri: string };

/**
 * The pending enrolment's secret (created on first call, kept until confirmed so a reload shows the
 * same QR code); null when the user already has a second factor.
 */
export async function pendingEnrolment(actor: Actor): Promise<Enrolment | null> {
  const db = getDb();
  let row = db.select().from(twoFactors).where(eq(twoFactors.userId, actor.id)).get();
  if (row?.enabledAt) return null;
  if (!row) {
    db.insert(twoFactors).values({ userId: actor.id, secret: newTotpSecret() }).onConflictDoNothing().run();
    row = db.select().from(twoFactors).where(eq(twoFactors.userId, actor.id)).get()!;
  }
  const uri = totpUri(row.secret, actor.email);
  // An <img> of an SVG document: no inline styles reach the page (the CSP allows img-src data:).
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret: row.secret, uri, qrSvgDataUri: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

function throttleKeys(userId: string, ip: string | null) {
  return [`2fa:${userId}`, ...(ip ? [`ip:${ip}`] : [])];
}

export type CodeResult =
  | { kind: "ok"; method: "totp" | "recovery_code" }
  | { kind: "invalid"; message: string }
  | { kind: "throttled"; retryAfterSeconds: number };

const INVALID = "That code is not valid. Check the time on your phone and enter the current code.";
const REUSED = "That code was already used. Wait for the next one.";

/** Checks a TOTP code and records its step in one statement, so two requests cannot both use one code. */
function consumeTotp(userId: string, code: string, now: Date, pendingOk = false): TotpCheck {
  const db = getDb();
  const row = db.select().from(twoFactors).where(eq(twoFactors.userId, userId)).get();
  if (!row || (!row.enabledAt && !pendingOk)) return { ok: false, reason: "invalid" };
  const check = checkTotp(row.secret, code, row.lastStep, now.getTime());
  if (!check.ok) return check;
  const res = db
    .update(twoFactors)
    .set({ lastStep: check.step })
    .where(and(eq(twoFactors.userId, userId), or(isNull(twoFactors.lastStep), lt(twoFactors.lastStep, check.step))))
    .run();
  return res.changes === 1 ? check : { ok: false, reason: "reused" };
}

/** Finds an unused recovery code matching the input and marks it used (single use, even under a race). */
async function consumeRecoveryCode(userId: string, input: string, now: Date): Promise<boolean> {
  const db = getDb();
  const code = normalizeRecoveryCode(input);
  const unused = db.select().from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))).all();
  for (const row of unused) {
    if (await verifyPassword(row.codeHash, code)) {
      const res = db.update(recoveryCodes).set({ usedAt: now }).where(and(eq(recoveryCodes.id, row.id), isNull(recoveryCodes.usedAt))).run();
      return res.changes === 1;
    }
  }
  return false;
}

function clearFailures(userId: string) {
  getDb().delete(loginFailures).where(eq(loginFailures.key, `2fa:${userId}`)).run();
}

/**
 * The second step of sign-in (or the check before changing the factor): a current TOTP code or an
 * unused recovery code (only when `allowRecovery`). Throttled; failures are audited.
 */
export async function verifySecondFactor(
  ctx: ActionContext,
  userId: string,
  input: string,
  opts: { allowRecovery: boolean; purpose: string },
): Promise<CodeResult> {
  const now = ctx.now ?? new Date();
  const keys = throttleKeys(userId, ctx.ip);
  const wait = loginRetryAfter(keys, now);
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: wait };
  let result: CodeResult;
  const digits = input.replace(/\s+/g, "");
  if (/^\d{6}$/.test(digits)) {
    const check = consumeTotp(userId, digits, now);
    result = check.ok ? { kind: "ok", method: "totp" } : { kind: "invalid", message: check.reason === "reused" ? REUSED : INVALID };
  } else if (opts.allowRecovery && looksLikeRecoveryCode(input)) {
    result = (await consumeRecoveryCode(userId, input, now))
      ? { kind: "ok", method: "recovery_code" }
      : { kind: "invalid", message: "That recovery code is not valid or was already used." };
  } else {
    result = { kind: "invalid", message: opts.allowRecovery ? "Enter the 6-digit code from your authenticator app, or a recovery code." : "Enter the 6-digit code from your authenticator app." };
  }
  if (result.kind === "invalid") {
    recordLoginFailure(keys, now);
    getDb().transaction((tx) =>
      writeAudit(tx, ctx, { action: "auth.second_factor_failed", targetType: "user", targetId: userId, orgId: ctx.actor?.orgId ?? null, details: { purpose: opts.purpose } }),
    );
  } else if (result.kind === "ok") {
    clearFailures(userId);
  }
  return result;
}

/** Argon2id hashes of fresh recovery codes (hashed in parallel on libuv's pool). */
async function hashedCodes() {
  const codes = newRecoveryCodes();
  const hashes = await Promise.all(codes.map((c) => hashPassword(normalizeRecoveryCode(c))));
  return { codes, hashes };
}

export type EnrolResult = { kind: "ok"; recoveryCodes: string[] } | { kind: "invalid"; message: string } | { kind: "throttled"; retryAfterSeconds: number };

/** Confirms the pending enrolment with a first code; returns the recovery codes, shown once. */
export async function confirmEnrolment(ctx: ActionContext & { actor: Actor }, code: string): Promise<EnrolResult> {
  const userId = ctx.actor.id;
  const now = ctx.now ?? new Date();
  const keys = throttleKeys(userId, ctx.ip);
  const wait = loginRetryAfter(keys, now);
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: wait };
  const row = getDb().select().from(twoFactors).where(eq(twoFactors.userId, userId)).get();
  if (!row) return { kind: "invalid", message: "Start again: the enrolment has expired." };
  if (row.enabledAt) return { kind: "invalid", message: "Two-factor sign-in is already on." };
  const check = consumeTotp(userId, code, now, true);
  if (!check.ok) {
    recordLoginFailure(keys, now);
    return { kind: "invalid", message: check.reason === "reused" ? REUSED : INVALID };
  }
  const { codes, hashes } = await hashedCodes();
  getDb().transaction((tx) => {
    tx.update(twoFactors).set({ enabledAt: now }).where(eq(twoFactors.userId, userId)).run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
    tx.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: now }))).run();
    writeAudit(tx, ctx, { action: "two_factor.enabled", targetType: "user", targetId: userId, orgId: ctx.actor.orgId });
  });
  clearFailures(userId);
  return { kind: "ok", recoveryCodes: codes };
}

/** New recovery codes replacing the old ones, after a current TOTP code. */
export async function regenerateRecoveryCodes(ctx: ActionContext & { actor: Actor }, code: string): Promise<EnrolResult> {
  const userId = ctx.actor.id;
  const check = await verifySecondFactor(ctx, userId, code, { allowRecovery: false, purpose: "regenerate_recovery_codes" });
  if (check.kind !== "ok") return check;
  const { codes, hashes } = await hashedCodes();
  getDb().transaction((tx) => {
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
    tx.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: ctx.now ?? new Date() }))).run();
    writeAudit(tx, ctx, { action: "two_factor.recovery_codes_regenerated", targetType: "user", targetId: userId, orgId: ctx.actor.orgId });
  });
  return { kind: "ok", recoveryCodes: codes };
}

/** Turns the second factor off after a current TOTP code or a recovery code (a lost phone). */
export async function disableTwoFactor(ctx: ActionContext & { actor: Actor }, code: string): Promise<CodeResult> {
  const userId = ctx.actor.id;
  const check = await verifySecondFactor(ctx, userId, code, { allowRecovery: true, purpose: "disable" });
  if (check.kind !== "ok") return check;
  getDb().transaction((tx) => {
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
    tx.delete(twoFactors).where(eq(twoFactors.userId, userId)).run();
    writeAudit(tx, ctx, { action: "two_factor.disabled", targetType: "user", targetId: userId, orgId: ctx.actor.orgId, details: { method: check.method } });
  });
  return check;
}

/**
 * Removes another user's second factor (lost phone and recovery codes), ending their sessions: they
 * enrol again at their next sign-in (at once if their role requires it). The caller has checked the
 * actor may manage the target (user.server.ts's manageProblem). Audited; false when there was none.
 */
export function resetTwoFactorOf(ctx: ActionContext & { actor: Actor }, target: { id: string; orgId: string | null }): boolean {
  return getDb().transaction((tx) => {
    const removed = tx.delete(twoFactors).where(eq(twoFactors.userId, target.id)).run().changes;
    if (!removed) return false;
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, target.id)).run();
    tx.delete(sessions).where(eq(sessions.userId, target.id)).run();
    writeAudit(tx, ctx, { action: "two_factor.reset", targetType: "user", targetId: target.id, orgId: target.orgId });
    return true;
  });
}
