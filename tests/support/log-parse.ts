import { expect } from "vitest";
import type { CanonicalEvent } from "~/domain/log-event";
import { CanonicalEventSchema } from "~/domain/log-event-schema";
import { parserFor, type LogFormat, type ParserOptions } from "~/domain/log-parse";

/** Parses one line that must be accepted; checks the event against the zod contract (fast path ⊂ schema). */
export function parseOk(format: LogFormat, line: string, options?: ParserOptions): { event: CanonicalEvent; secrets: readonly string[] } {
  const r = parserFor(format, options)(line);
  if (!r.ok) throw new Error(`expected ${format} to accept the line, got: ${r.reason}`);
  const z = CanonicalEventSchema.safeParse(r.event);
  if (!z.success) throw new Error(`accepted event fails CanonicalEventSchema: ${JSON.stringify(z.error.issues)}`);
  return { event: r.event, secrets: r.secretsStripped };
}

/** Parses one line that must be refused; returns the reason. */
export function parseRejected(format: LogFormat, line: string, options?: ParserOptions): string {
  const r = parserFor(format, options)(line);
  if (r.ok) throw new Error(`expected ${format} to refuse the line, got ${JSON.stringify(r.event)}`);
  expect(r.reason.length).toBeGreaterThan(0);
  return r.reason;
}

/** Asserts that no string anywhere in the result contains `secret`. */
export function expectNoSecret(value: unknown, secret: string) {
  expect(JSON.stringify(value)).not.toContain(secret);
}
