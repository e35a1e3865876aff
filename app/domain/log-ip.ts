// IP addresses as gateways log them: validation without regular expressions or allocation (hot path), and
// normalisation of the forms seen in the wild ("ip:port", "[v6]:port", "::ffff:1.2.3.4", "-").
// Accepts exactly what zod's z.ipv4() / z.ipv6() accept (dotted quad without leading zeros; IPv6 in hex
// groups, no embedded IPv4, no zone id), so CanonicalEventSchema (log-event-schema.ts) agrees with the fast path.

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function isIpv4(s: string): boolean {
  return ipv4Span(s, 0, s.length);
}

function ipv4Span(s: string, start: number, end: number): boolean {
  const len = end - start;
  if (len < 7 || len > 15) return false;
  let parts = 0;
  let i = start;
  while (i <= end) {
    const from = i;
    let v = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const digits = i - from;
    if (digits === 0 || digits > 3 || v > 255 || (digits > 1 && s.charCodeAt(from) === 48)) return false;
    parts++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 || parts === 4) return false;
    i++;
  }
  return parts === 4;
}

export function isIpv6(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > 39) return false;
  let groups = 0;
  let doubleColon = false;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    doubleColon = true;
    i = 2;
    if (i === n) return true; // "::"
  }
  while (i < n) {
    let digits = 0;
    while (i < n && isHex(s.charCodeAt(i))) {
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4) return false;
    groups++;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (doubleColon) return false;
      doubleColon = true;
      i++;
      if (i === n) break; // trailing "::"
    } else if (i === n) return false; // trailing single ":"
  }
  return doubleColon ? groups <= 7 : groups === 8;
}

/**
 * Normalises a logged client address: trims, strips a port ("1.2.3.4:5678", "[::1]:443") and brackets,
 * maps "::ffff:1.2.3.4" to "1.2.3.4", lowercases IPv6. Returns null for "" or "-" (no address), and
 * `undefined` when the text is not an IP address at all.
 */
export function normalizeIp(raw: string): string | null | undefined {
  let s = raw;
  const n = s.length;
  if (n === 0 || (n === 1 && s === "-")) return null;
  if (isIpv4(s)) return s;
  if (s.charCodeAt(0) === 32 || s.charCodeAt(n - 1) === 32) {
    s = s.trim();
    if (s === "" || s === "-") return null;
    if (isIpv4(s)) return s;
  }
  if (s.charCodeAt(0) === 91 /* [ */) {
    const close = s.indexOf("]");
    if (close < 0) return undefined;
    s = s.slice(1, close);
  } else {
    const colon = s.indexOf(":");
    if (colon > 0 && s.indexOf(":", colon + 1) < 0) {
      // exactly one colon: IPv4 with a port
      return ipv4Span(s, 0, colon) ? s.slice(0, colon) : undefined;
    }
  }
  const lower = s.toLowerCase();
  if (lower.startsWith("::ffff:") && lower.indexOf(".") > 0) {
    const v4 = lower.slice(7);
    return isIpv4(v4) ? v4 : undefined;
  }
  return isIpv6(lower) ? lower : undefined;
}

/** Loopback, RFC 1918, link-local, CGNAT, IPv6 unique-local/link-local: addresses of our own proxies. */
export function isPrivateIp(ip: string): boolean {
  if (ip.indexOf(":") >= 0) return ip === "::1" || ip.startsWith("fc") || ip.startsWith("fd") || ip.startsWith("fe80:");
  const a = parseInt(ip, 10);
  const dot = ip.indexOf(".");
  const b = parseInt(ip.slice(dot + 1), 10);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/**
 * The client address when a proxy logs both its TCP peer and an X-Forwarded-For list. The peer cannot be
 * forged, so it wins when it is public. When the peer is one of our own (private) proxies, the client is
 * the right-most public XFF entry ("right-most untrusted": entries to its left were written by the client
 * and may be forged); when every entry is private, the left-most one. Returns null when nothing usable.
 */
export function clientAddress(peer: string | null, xff: string | null): string | null {
  if (peer !== null && !isPrivateIp(peer)) return peer;
  if (xff === null || xff === "" || xff === "-") return peer;
  if (xff.indexOf(",") < 0) {
    const one = normalizeIp(xff);
    return typeof one === "string" ? one : peer;
  }
  const parts = xff.split(",");
  let leftmost: string | null = null;
  for (let i = parts.length - 1; i >= 0; i--) {
    const ip = normalizeIp(parts[i]);
    if (typeof ip !== "string") continue;
    if (!isPrivateIp(ip)) return ip;
    leftmost = ip;
  }
  return leftmost ?? peer;
}
