// Reading a small form's body with a byte cap, for pages anyone can post to without an account: the
// Content-Length header alone is no limit (a chunked request has none), so the body is counted as it
// arrives and reading stops at the cap, before anything is parsed or held beyond it.

export class BodyTooLarge extends Error {}

/** The request's form data, or a thrown BodyTooLarge once the body passes `maxBytes`. */
export async function formDataWithin(request: Request, maxBytes: number): Promise<FormData> {
  const declared = Number(request.headers.get("Content-Length") ?? 0);
  if (declared > maxBytes) throw new BodyTooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new BodyTooLarge();
      }
      chunks.push(value);
    }
  }
  const headers = new Headers(request.headers);
  headers.delete("Content-Length");
  return new Request(request.url, { method: request.method, headers, body: Buffer.concat(chunks) }).formData();
}

/** The form of a page anyone can post to (sign-in, second step, invitation): 64 KB at most, else 413. */
export async function publicFormData(request: Request, maxBytes = 64 * 1024): Promise<FormData> {
  try {
    return await formDataWithin(request, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new Response("The form is too large.", { status: 413 });
    throw err;
  }
}
