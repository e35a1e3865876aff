import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { inventoryQueryInput, InventoryQuerySchema } from "~/domain/credential";
import { credentialsCsv } from "~/models/credential-inventory.server";

/**
 * /credentials.csv: the inventory with the list's filters and sort, every matching row in the actor's
 * scope (not one page), streamed batch by batch. Cells are RFC 4180 quoted and guarded against
 * spreadsheet formula injection (see csvCell).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:credential");
  const { page: _page, ...query } = InventoryQuerySchema.parse(inventoryQueryInput(new URL(request.url).searchParams));
  const now = new Date();
  const lines = credentialsCsv(user, query, now);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      lines.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="credentials-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
