import fs from "node:fs";
import { Readable } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth.server";
import { evidencePath, getEvidence } from "~/models/evidence.server";

/** Downloads one evidence file (scoped: another tenant's is 404), as an attachment with its checked type. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:attestation");
  const ev = getEvidence(user, params.evidenceId ?? "");
  if (!ev) throw new Response("Not found", { status: 404 });
  const file = evidencePath(ev.sha256);
  if (!fs.existsSync(file)) throw new Response("The stored file is missing", { status: 410 });
  const name = ev.fileName.replace(/[^\w.\- ]+/g, "_");
  return new Response(Readable.toWeb(fs.createReadStream(file)) as ReadableStream, {
    headers: {
      "Content-Type": ev.mediaType,
      "Content-Length": String(ev.sizeBytes),
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
      "X-Evidence-SHA256": ev.sha256,
    },
  });
}
