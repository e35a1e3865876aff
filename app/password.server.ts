import { hash, verify } from "@node-rs/argon2";

// Argon2id with the parameters of lucia's guide (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
// `algorithm: 2` is Argon2id (the package's Algorithm enum is a const enum, unusable with isolatedModules).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Checks a password; with no stored hash, still spends the same time, so unknown accounts cannot be told apart. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    await hash(password, OPTIONS);
    return false;
  }
  try {
    return await verify(storedHash, password, OPTIONS);
  } catch {
    return false;
  }
}
