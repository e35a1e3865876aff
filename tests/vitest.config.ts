import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");
const alias = { "~": path.join(root, "app") };

// Four layers (STYLE.md): unit (pure domain), db (models on a temporary SQLite file per test file),
// routes (the built app through the request handler), e2e (Debian's Chromium via playwright-core).
export default defineConfig({
  root,
  resolve: { alias },
  test: {
    reporters: ["default", ["json", { outputFile: path.join(root, "test-results/vitest.json") }]],
    globalSetup: [path.join(root, "tests/support/global-setup.ts")],
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["tests/unit/**/*.test.ts"], setupFiles: ["tests/support/fail-on-console-error.ts"] } },
      {
        resolve: { alias },
        test: { name: "db", include: ["tests/db/**/*.test.ts"], setupFiles: ["tests/support/fail-on-console-error.ts", "tests/support/temp-db.ts"], testTimeout: 20_000 },
      },
      {
        resolve: { alias },
        test: { name: "routes", include: ["tests/routes/**/*.test.ts"], setupFiles: ["tests/support/fail-on-console-error.ts", "tests/support/temp-db.ts"], testTimeout: 20_000 },
      },
      {
        resolve: { alias },
        test: { name: "e2e", include: ["tests/e2e/**/*.test.ts"], fileParallelism: false, testTimeout: 90_000, hookTimeout: 90_000 },
      },
    ],
  },
});
