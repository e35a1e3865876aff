import { afterEach, beforeEach, vi } from "vitest";

// An unexpected console.error fails the test (Epic Stack): errors must be asserted, not ignored.
let spy: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    throw new Error(`console.error was called: ${args.map(String).join(" ")}`);
  });
});
afterEach(() => {
  spy.mockRestore();
});
