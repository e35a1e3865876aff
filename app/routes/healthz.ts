import { json } from "@remix-run/node";
import { databaseAnswers } from "~/models/health.server";

export function loader() {
  const ok = databaseAnswers();
  return json({ ok }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
