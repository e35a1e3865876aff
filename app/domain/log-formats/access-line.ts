// Scanning text access-log lines (nginx/Apache, Envoy's default format): quoted fields, bare tokens and the
// HTTP request line, by index arithmetic (no regex, no split): the hot path for text formats.

/**
 * End index (the closing quote) of a quoted field whose opening quote is at `open`, or -1.
 * A backslash escapes the next character (Apache writes \" inside fields; nginx writes \x22). Envoy does not
 * escape quotes at all, so a quote only closes the field when followed by a space or the end of the line.
 */
export function quotedEnd(line: string, open: number): number {
  const n = line.length;
  let i = open + 1;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
      continue;
    }
    if (c === 34 /* " */ && (i + 1 === n || line.charCodeAt(i + 1) === 32)) return i;
    i++;
  }
  return -1;
}

/** End index (exclusive) of the space-free token starting at `at`. */
export function tokenEnd(line: string, at: number): number {
  const i = line.indexOf(" ", at);
  return i < 0 ? line.length : i;
}

/** Parses digits in [from, to) as a non-negative integer; -1 when empty or not all digits. */
export function intSpan(line: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function isMethodSpan(s: string, from: number, to: number): boolean {
  if (to <= from || to - from > 20) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) return false;
  }
  return true;
}

export const BAD_REQUEST_LINE = "request line is not METHOD PATH PROTOCOL";

/**
 * Splits an HTTP request line `METHOD TARGET PROTOCOL` held in line[from, to). The target is everything
 * between the first and the last space, so a target with a raw space survives. A line without a protocol
 * (HTTP/0.9's `GET /path`) is accepted when the target has a valid form. Returns [method, target] or a reason.
 */
export function splitRequestLine(line: string, from: number, to: number): [string, string] | string {
  if (to - from === 0 || (to - from === 1 && line.charCodeAt(from) === 45)) return "empty request line (client sent no request)";
  const sp1 = line.indexOf(" ", from);
  if (sp1 < 0 || sp1 >= to || !isMethodSpan(line, from, sp1)) return BAD_REQUEST_LINE;
  const sp2 = line.lastIndexOf(" ", to - 1);
  // Without a trailing "HTTP/x" token the whole rest is the target: HTTP/0.9 "GET /path", or a probe whose
  // target holds a raw space ("GET /x.php?cmd=ls -al&y=z", answered 400, as scanners send).
  const targetEnd = sp2 > sp1 && line.startsWith("HTTP/", sp2 + 1) ? sp2 : to;
  if (targetEnd <= sp1 + 1) return BAD_REQUEST_LINE;
  const t0 = line.charCodeAt(sp1 + 1);
  const method = line.slice(from, sp1);
  const target = line.slice(sp1 + 1, targetEnd);
  // origin-form "/x", asterisk-form "*", absolute-form "http://h/x", authority-form for CONNECT.
  if (t0 !== 47 && t0 !== 42 && method !== "CONNECT" && target.indexOf("://") < 0) return BAD_REQUEST_LINE;
  return [method, target];
}
