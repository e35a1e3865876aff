import { describe, expect, it } from "vitest";
import { request } from "../support/app";

// Pages anyone can post to read at most 64 KB of form: a chunked body (no Content-Length) is cut off
// as it arrives and answered 413, so an anonymous client cannot make the server buffer without limit.

function endlessForm(field: string) {
  const chunk = new TextEncoder().encode("a".repeat(16 * 1024));
  const state = { sent: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent === 0) controller.enqueue(new TextEncoder().encode(`${field}=`));
      if (state.sent >= 4 * 1024 * 1024) return controller.close();
      state.sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, state };
}

describe("public forms cap their body", () => {
  // The second step without its pending cookie and an invitation with a bad token are refused before
  // the body is read; the sign-in form reads it, within the cap.
  for (const [path, field, status] of [["/login", "email", 413], ["/login/two-factor", "code", 302], ["/invite/not-a-token", "name", 410]] as const) {
    it(`POST ${path} with an endless chunked body is answered ${status} after less than 1 MB`, async () => {
      const { body, state } = endlessForm(field);
      const res = await request(path, { body, headers: { "Content-Type": "application/x-www-form-urlencoded" }, ip: "192.0.2.77" });
      expect(res.status).toBe(status);
      expect(state.sent).toBeLessThan(1024 * 1024);
    });
  }

  it("an ordinary sign-in form is still read (unknown account → 401, not 413)", async () => {
    const res = await request("/login", { form: { email: "nobody@example.test", password: "not-the-password" }, ip: "192.0.2.78" });
    expect(res.status).toBe(401);
  });
});
