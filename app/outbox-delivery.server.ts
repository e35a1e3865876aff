import { DELIVERY_HEADER, EVENT_HEADER, signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_USER_AGENT } from "~/domain/webhook-signature";

// The HTTP side of the outbox: one signed POST per delivery. The database side (claiming rows,
// recording the outcome, backoff, dead-lettering) is in app/models/outbox.server.ts.

export const DELIVERY_TIMEOUT_MS = 10_000;

export type Delivery = { url: string; secret: string; event: string; deliveryId: number; body: string; timestamp: number };
export type DeliveryOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The headers of one delivery (also what the settings page documents). */
export function deliveryHeaders(d: Delivery): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": WEBHOOK_USER_AGENT,
    [EVENT_HEADER]: d.event,
    [DELIVERY_HEADER]: String(d.deliveryId),
    [TIMESTAMP_HEADER]: String(d.timestamp),
    [SIGNATURE_HEADER]: signWebhook(d.secret, d.timestamp, d.body),
  };
}

/**
 * POSTs the body exactly as stored. A 2xx answer is a delivery; anything else (another status, a
 * redirect, which is not followed, a network error, no answer within the timeout) is a failure with a
 * short reason. Never throws.
 */
export async function sendDelivery(d: Delivery, opts: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<DeliveryOutcome> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("timeout"));
    }, timeoutMs);
  });
  try {
    const attempt = (async () => {
      const res = await doFetch(d.url, { method: "POST", headers: deliveryHeaders(d), body: d.body, redirect: "manual", signal: controller.signal });
      return { status: res.status, statusText: res.statusText, excerpt: await readExcerpt(res) };
    })();
    attempt.catch(() => undefined);
    // The signal cancels the request; the race makes sure the timeout holds even if a fetch ignores it.
    const res = await Promise.race([attempt, timedOut]);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    const reason = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
    return { ok: false, status: res.status, error: (res.excerpt ? `${reason}: ${res.excerpt}` : reason).slice(0, 300) };
  } catch (err) {
    if (controller.signal.aborted) return { ok: false, status: null, error: `no answer within ${Math.round(timeoutMs / 100) / 10} s (timeout)` };
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return { ok: false, status: null, error: `${err instanceof Error ? err.message : String(err)}${cause}`.slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/** The first few hundred bytes of an answer's body, one line (for the delivery's last error); the rest is not read. */
async function readExcerpt(res: Response, max = 200): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  // Not awaited: some fetch implementations never settle a cancel.
  reader.cancel().catch(() => undefined);
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max)).replace(/\s+/g, " ").trim();
}
