import fs from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload, type CryptoKey } from "jose";
import { getEnv } from "./env.server";

// Keys for everything Keyward signs: invitation links now; receipts, API tokens and evidence packs later.
// ES256 only, pinned on verification along with issuer and audience. Generated on first use and kept
// under the data folder (mode 0600); older keys stay in the file so what they signed still verifies.

export const ISSUER = "keyward";
const ALG = "ES256";

type StoredKey = { kid: string; createdAt: string; privateJwk: JWK; publicJwk: JWK };
type LoadedKey = StoredKey & { privateKey: CryptoKey; publicKey: CryptoKey };

let loaded: { file: string; keys: LoadedKey[] } | undefined;

function keyFile() {
  return path.join(getEnv().KEYWARD_DATA, "keys", "signing-keys.json");
}

async function newKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = `kw-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  return { kid, createdAt: new Date().toISOString(), privateJwk, publicJwk };
}

async function loadKeys(): Promise<LoadedKey[]> {
  const file = keyFile();
  if (loaded?.file === file) return loaded.keys;
  let stored: StoredKey[];
  if (fs.existsSync(file)) {
    stored = JSON.parse(fs.readFileSync(file, "utf8")) as StoredKey[];
  } else {
    stored = [await newKey()];
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // "wx": if another process created it meanwhile, use theirs.
    try {
      fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: "wx" });
    } catch {
      stored = JSON.parse(fs.readFileSync(file, "utf8")) as StoredKey[];
    }
  }
  const keys = await Promise.all(
    stored.map(async (k) => ({
      ...k,
      privateKey: (await importJWK(k.privateJwk, ALG)) as CryptoKey,
      publicKey: (await importJWK(k.publicJwk, ALG)) as CryptoKey,
    })),
  );
  loaded = { file, keys };
  return keys;
}

/** Adds a new current key; older keys keep verifying what they signed. */
export async function rotateSigningKey(): Promise<string> {
  const keys = await loadKeys();
  const fresh = await newKey();
  const stored: StoredKey[] = [fresh, ...keys.map(({ kid, createdAt, privateJwk, publicJwk }) => ({ kid, createdAt, privateJwk, publicJwk }))];
  fs.writeFileSync(keyFile(), JSON.stringify(stored, null, 2), { mode: 0o600 });
  loaded = undefined;
  return fresh.kid;
}

export async function getJwks(): Promise<{ keys: JWK[] }> {
  const keys = await loadKeys();
  return { keys: keys.map((k) => k.publicJwk) };
}

export async function signToken(
  claims: JWTPayload,
  opts: { audience: string; subject?: string; jti?: string; expiresAt: Date },
): Promise<string> {
  const [current] = await loadKeys();
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: current.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(opts.expiresAt.getTime() / 1000));
  if (opts.subject) jwt = jwt.setSubject(opts.subject);
  if (opts.jti) jwt = jwt.setJti(opts.jti);
  return jwt.sign(current.privateKey);
}

/** Verifies signature (ES256 only, key chosen by kid), issuer, audience and expiry. Returns null when any fails. */
export async function verifyToken(token: string, audience: string): Promise<JWTPayload | null> {
  try {
    const keys = await loadKeys();
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = keys.find((k) => k.kid === header.kid);
        if (!key) throw new Error("unknown kid");
        return key.publicKey;
      },
      { algorithms: [ALG], issuer: ISSUER, audience, requiredClaims: ["exp", "iat"] },
    );
    return payload;
  } catch {
    return null;
  }
}

/**
 * A signed document (attestation receipt, signed export, evidence-pack manifest): a JWS over the
 * claims with issuer, audience, `typ` and issue time, and NO expiry (a receipt stays true). Signed with
 * the current key; its `kid` picks the key on verification, so key rotation keeps it verifiable.
 */
export async function signDocument(claims: JWTPayload, opts: { audience: string; typ: string; subject?: string }): Promise<string> {
  const [current] = await loadKeys();
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: ALG, kid: current.kid, typ: opts.typ }).setIssuer(ISSUER).setAudience(opts.audience).setIssuedAt();
  if (opts.subject) jwt = jwt.setSubject(opts.subject);
  return jwt.sign(current.privateKey);
}

export type DocumentCheck = { ok: true; payload: JWTPayload; kid: string } | { ok: false; reason: string };

/**
 * Verifies a signed document: ES256 only, `typ`, issuer and audience pinned, key by `kid` from this
 * portal's keys or from a JWKS given (an auditor's copy of /.well-known/jwks.json). Says why it fails.
 */
export async function verifyDocument(jws: string, opts: { audience: string; typ: string; jwks?: { keys: JWK[] } }): Promise<DocumentCheck> {
  try {
    const candidates = opts.jwks ? opts.jwks.keys : (await loadKeys()).map((k) => k.publicJwk);
    let kid = "";
    const { payload } = await jwtVerify(
      jws.trim(),
      async (header) => {
        kid = header.kid ?? "";
        const jwk = candidates.find((k) => k.kid === header.kid);
        if (!jwk) throw new Error(`no key with kid "${header.kid ?? ""}"`);
        return (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey;
      },
      { algorithms: [ALG], issuer: ISSUER, audience: opts.audience, typ: opts.typ, requiredClaims: ["iat"] },
    );
    return { ok: true, payload, kid };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Forget cached keys (tests that switch KEYWARD_DATA). */
export function resetKeyCache() {
  loaded = undefined;
}
