import { json } from "@remix-run/node";
import { getJwks } from "~/jwt.server";

// The public keys that verify what Keyward signs (receipts, signed exports, invitation links).
export async function loader() {
  return json(await getJwks(), { headers: { "Cache-Control": "public, max-age=300" } });
}
