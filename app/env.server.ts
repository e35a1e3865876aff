import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  KEYWARD_DB: z.string().min(1).default("./data/keyward.db"),
  KEYWARD_DATA: z.string().min(1).default("./data"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  KEYWARD_BASE_URL: z.url({ message: "KEYWARD_BASE_URL must be an absolute URL such as https://keyward.example.com" }).optional(),
  KEYWARD_TRUST_PROXY: z.enum(["0", "1"]).default("0"),
});

export type Env = z.infer<typeof EnvSchema> & { baseUrl: string };

let cached: Env | undefined;

/** Parses the environment once; a bad value stops the process with a message naming the variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  cached = {
    ...env,
    KEYWARD_DB: path.resolve(env.KEYWARD_DB),
    KEYWARD_DATA: path.resolve(env.KEYWARD_DATA),
    baseUrl: (env.KEYWARD_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
  };
  return cached;
}

/** For tests and the CLI, which set variables after import. */
export function resetEnvCache() {
  cached = undefined;
}
