import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { getImportProgress } from "~/models/log-import-history.server";

// GET /imports/<id>/progress: one import's status, progress (per mille) and counters, polled by its
// report page every second while it is queued or running.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:import:any");
  const progress = getImportProgress(user, params.id ?? "");
  if (!progress) throw new Response("Not found", { status: 404 });
  return json(progress, { headers: { "Cache-Control": "no-store" } });
}
