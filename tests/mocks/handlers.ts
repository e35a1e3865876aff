import { http, HttpResponse, type HttpResponseResolver } from "msw";
import { verifyWebhook } from "../../app/domain/webhook-signature";

// Outgoing HTTP in tests, one handler list per service, assembled into one msw server (server.ts).
// Tests override a service per test with server.use(...) (e.g. a failing or slow receiver).

/** The restricted API gateway's admin endpoint, which hears every credential event. */
export const GATEWAY_HOOK_URL = "https://gateway.keyward.test/admin/keyward-events";
/** A partner's own notification endpoint. */
export const PARTNER_HOOK_URL = "https://hooks.partner.test/keyward";

export type ReceivedDelivery = {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the signature verified with the secret the receiver was given (null: no secret given). */
  signatureValid: boolean | null;
};

/**
 * A webhook receiver at `url` that records every delivery (raw body, headers) and verifies its
 * signature with `secret`, as a real receiver would. `respond` picks the answer per call (1-based);
 * the default is 204. Returns the handler for server.use and the list it fills.
 */
export function webhookReceiver(url: string, opts: { secret?: string; respond?: (call: number, d: ReceivedDelivery) => Response | Promise<Response> } = {}) {
  const received: ReceivedDelivery[] = [];
  const resolver: HttpResponseResolver = async ({ request }) => {
    const body = await request.text();
    const headers = Object.fromEntries(request.headers.entries());
    const delivery: ReceivedDelivery = {
      url: request.url,
      headers,
      body,
      signatureValid: opts.secret ? verifyWebhook({ secret: opts.secret, timestamp: headers["x-keyward-timestamp"] ?? null, body, signature: headers["x-keyward-signature"] ?? null }) : null,
    };
    received.push(delivery);
    if (opts.respond) return opts.respond(received.length, delivery);
    return new HttpResponse(null, { status: 204 });
  };
  return { handler: http.post(url, resolver), received };
}

/** Gateway admin API: accepts deliveries (204) unless a test overrides it. */
export const gatewayHandlers = [http.post(GATEWAY_HOOK_URL, () => new HttpResponse(null, { status: 204 }))];

/** Partners' receivers: accept deliveries (204) unless a test overrides them. */
export const partnerHandlers = [http.post(PARTNER_HOOK_URL, () => HttpResponse.json({ ok: true }, { status: 200 }))];

export const handlers = [...gatewayHandlers, ...partnerHandlers];
