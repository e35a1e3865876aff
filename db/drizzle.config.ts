import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema*.ts", // schema.ts, and one schema-<area>.ts per later area
  out: "./db/migrations",
  dbCredentials: { url: process.env.KEYWARD_DB ?? "./data/keyward.db" },
});
