/** Methods that must not change anything, and so need no CSRF check. */
export function isSafeMethod(method: string) {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

/**
 * CSRF defence for cookie-authenticated requests: the Origin header must name this host.
 * A missing or "null" Origin is refused too (every browser sends Origin on POST).
 */
export function isSameOrigin(origin: string | null, host: string | null): boolean {
  if (!origin || !host || origin === "null") return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
