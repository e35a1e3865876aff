import { parseArgs } from "node:util";
import type { z } from "zod";
import { getDb } from "../../db/client";
import { getEnv } from "../../app/env.server";

/** A mistake the person running the command can fix: printed on stderr without a stack trace, exit 1. */
export class UserError extends Error {}

/** One `keyward` command. `run` returns the exit code (default 0) or throws a UserError. */
export type Command = {
  name: string;
  /** One line for `keyward --help`. */
  summary: string;
  /** The full text of `keyward <name> --help`. */
  help: string;
  run(argv: string[]): Promise<number | void>;
};

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/**
 * Splits argv with node:util parseArgs (strict: unknown options are errors), then validates the values
 * and positionals (as `positionals`) with a zod schema. Every command takes --json; --help is handled before this.
 */
export function parseCommandArgs<S extends z.ZodType>(argv: string[], options: OptionSpec, schema: S, positionals = false): z.infer<S> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, json: { type: "boolean" } }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err));
  }
  // --if-empty arrives as "if-empty"; schemas use camelCase (ifEmpty), and messages name the flag again.
  const values = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));
  const result = schema.safeParse({ ...values, positionals: parsed.positionals });
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const field = i.path[0];
      const name = field === "positionals" ? "" : field != null ? `--${String(field).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : "";
      return `${name}${i.message}`;
    });
    throw new UserError(lines.join("\n"));
  }
  return result.data;
}

/** Opens (and migrates) the database, turning a bad path or a file that is not a database into a user error. */
export function openDatabaseOrFail() {
  const file = getEnv().KEYWARD_DB;
  try {
    return getDb();
  } catch (err) {
    throw new UserError(`cannot open the database ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function printJson(value: unknown) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(...lines: string[]) {
  process.stdout.write(lines.map((l) => `${l}\n`).join(""));
}

/** Columns padded to their widest cell, for small human-readable tables. */
export function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "));
}
