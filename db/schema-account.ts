import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./schema";

// The account area's tables (see db/schema.ts for the conventions). Listed in db/client.ts's schema.

/**
 * A user's TOTP second factor (RFC 6238). One row per user: `enabledAt` is null while the enrolment
 * waits for its first code. `lastStep` is the last accepted 30-second time step: a code is accepted
 * only for a later step, so no code can be replayed within its window.
 */
export const twoFactors = sqliteTable("two_factors", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(), // base32; the verifier needs it in the clear (see README, Security notes)
  enabledAt: integer("enabled_at", { mode: "timestamp_ms" }),
  lastStep: integer("last_step"),
  createdAt: integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date()),
});

/** Single-use recovery codes, Argon2id-hashed; shown once at enrolment or regeneration. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id")
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);
