import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { BodyTooLarge, formDataWithin } from "~/limited-body.server";
import { verifyReceipt, type ReceiptClaims } from "~/models/attestation-receipt.server";

// Anyone holding a receipt (an auditor, the partner, a regulator) can check it here without an
// account: the signature against this portal's keys (old keys included), then the receipt's content.

export const meta: MetaFunction = () => [{ title: "Verify an attestation receipt · Keyward" }];

const MAX_RECEIPT_BYTES = 64 * 1024;

type Result = { ok: true; kid: string; issuedAt: string; claims: ReceiptClaims; matchesRecord: boolean | null } | { ok: false; reason: string };

export async function action({ request }: ActionFunctionArgs) {
  // No account needed here: the body is capped as it is read (a chunked request declares no length).
  let form: FormData;
  try {
    form = await formDataWithin(request, MAX_RECEIPT_BYTES * 2);
  } catch (err) {
    if (err instanceof BodyTooLarge) return json<Result>({ ok: false, reason: "That is too large to be a receipt." }, { status: 413 });
    throw err;
  }
  const file = form.get("file");
  let text = String(form.get("receipt") ?? "");
  // Pasted text wins; otherwise the file chosen.
  if (!text.trim() && file && typeof file !== "string" && file.size > 0) {
    if (file.size > MAX_RECEIPT_BYTES) return json<Result>({ ok: false, reason: "That file is too large to be a receipt." }, { status: 413 });
    text = await file.text();
  }
  if (!text.trim()) return json<Result>({ ok: false, reason: "Paste a receipt or choose a .jws file." }, { status: 400 });
  const check = await verifyReceipt(text);
  if (!check.ok) return json<Result>(check, { status: 400 });
  return json<Result>(check);
}

export default function VerifyReceipt() {
  const result = useActionData<typeof action>();
  return (
    <main className="page">
      <p>
        <Link to="/attestations">← Attestations</Link>
      </p>
      <h1>Verify an attestation receipt</h1>
      <p className="muted">
        A receipt is a JWS signed by this portal (ES256). It is checked against the portal&apos;s keys, published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a>;
        a receipt with one byte changed fails. The CLI does the same: <code>keyward verify-receipt receipt.jws</code>.
      </p>
      {result ? (
        result.ok ? (
          <div className="alert success" role="status">
            <strong>Valid receipt.</strong> Signed with key {result.kid} at {result.issuedAt}.
            {result.matchesRecord === false ? " Note: it is not the receipt stored for this attestation now." : ""}
          </div>
        ) : (
          <div className="alert error" role="alert">
            <strong>Not valid.</strong> {result.reason}
          </div>
        )
      ) : null}
      {result?.ok ? (
        <section className="panel" aria-labelledby="claims">
          <h2 id="claims">What it certifies</h2>
          <dl className="facts">
            <dt>Organisation</dt>
            <dd>
              {result.claims.org.name} ({result.claims.org.slug})
            </dd>
            <dt>Template</dt>
            <dd>
              {result.claims.template.name}, version {result.claims.template.version}
            </dd>
            <dt>Period</dt>
            <dd>
              {result.claims.period.start} to {result.claims.period.end}
            </dd>
            <dt>Answers SHA-256</dt>
            <dd className="mono">{result.claims.answersSha256}</dd>
            <dt>Evidence</dt>
            <dd>
              <ul>
                {result.claims.evidence.map((e) => (
                  <li key={`${e.sha256}-${e.fileName}`}>
                    {e.fileName} {e.controlId ? `(${e.controlId})` : ""} <span className="mono">{e.sha256}</span>
                  </li>
                ))}
              </ul>
            </dd>
            <dt>Signed statement</dt>
            <dd>
              {result.claims.statement.name}, {result.claims.statement.title}, {result.claims.statement.submittedAt}
            </dd>
            <dt>Accepted by</dt>
            <dd>
              {result.claims.reviewer.name} ({result.claims.reviewer.email}) at {result.claims.acceptedAt}
            </dd>
          </dl>
        </section>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="panel">
        <div className="field">
          <label htmlFor="receipt">Receipt (paste)</label>
          <textarea id="receipt" name="receipt" rows={6} className="mono" />
        </div>
        <div className="field">
          <label htmlFor="file">…or a .jws file</label>
          <input id="file" type="file" name="file" accept=".jws,.txt,application/jose" />
        </div>
        <button type="submit" className="primary">
          Verify
        </button>
      </Form>
    </main>
  );
}
