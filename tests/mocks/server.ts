import { afterAll, afterEach, beforeAll } from "vitest";
import { setupServer } from "msw/node";
import { handlers } from "./handlers";

// One msw server for every outgoing HTTP call in tests; an unhandled request is an error.
export const server = setupServer(...handlers);

/** Starts the server for the calling test file and resets per-test overrides after each test. */
export function useMockServer() {
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}
