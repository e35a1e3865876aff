import { describe, expect, it } from "vitest";
import { checkTotp, groupedSecret, looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, requiresTwoFactor, stepAt, totpCode, totpUri } from "~/domain/two-factor";

// RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" (base32 below), 8-digit codes; our
// codes are the same HOTP values' last 6 digits.
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

describe("TOTP", () => {
  it("matches RFC 6238's test vectors (last 6 digits)", () => {
    expect(totpCode(RFC_SECRET, 59_000)).toBe("287082");
    expect(totpCode(RFC_SECRET, 1111111109_000)).toBe("081804");
    expect(totpCode(RFC_SECRET, 2000000000_000)).toBe("279037");
  });

  it("accepts the current step and one either side, nothing further", () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    for (const d of [-1, 0, 1]) expect(checkTotp(secret, totpCode(secret, now + d * 30_000), null, now)).toEqual({ ok: true, step: stepAt(now) + d });
    for (const d of [-3, -2, 2, 3]) expect(checkTotp(secret, totpCode(secret, now + d * 30_000), null, now)).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a code whose step is not after the last accepted one (no replay within the window)", () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = stepAt(now);
    expect(checkTotp(secret, totpCode(secret, now), step, now)).toEqual({ ok: false, reason: "reused" });
    expect(checkTotp(secret, totpCode(secret, now - 30_000), step, now)).toEqual({ ok: false, reason: "reused" });
    expect(checkTotp(secret, totpCode(secret, now + 30_000), step, now)).toEqual({ ok: true, step: step + 1 });
  });

  it("refuses malformed input without throwing", () => {
    const secret = newTotpSecret();
    for (const bad of ["", "12345", "1234567", "abcdef", "12 34 5", "１２３４５６", "0".repeat(10_000)]) expect(checkTotp(secret, bad, null).ok).toBe(false);
    expect(checkTotp(secret, totpCode(secret).replace(/^(\d{3})/, "$1 "), null).ok).toBe(true);
  });

  it("builds the otpauth URI and a 160-bit base32 secret", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, "ada@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Keyward");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(groupedSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});

describe("recovery codes and policy", () => {
  it("makes 10 distinct codes of 10 unambiguous characters", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) {
      expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
      expect(c).not.toMatch(/[il1o]/);
      expect(looksLikeRecoveryCode(c)).toBe(true);
    }
    expect(normalizeRecoveryCode(" ABCDE-fghjk ")).toBe("abcdefghjk");
    expect(looksLikeRecoveryCode("123456")).toBe(false);
  });

  it("requires a second factor of the internal roles only", () => {
    expect(["vendor_manager", "security", "auditor"].every((r) => requiresTwoFactor(r as never))).toBe(true);
    expect(requiresTwoFactor("partner_admin")).toBe(false);
    expect(requiresTwoFactor("partner_member")).toBe(false);
  });
});
