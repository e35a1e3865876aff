// The networks a source address belongs to, for "same /24" (new_source) and "distinct /16s"
// (credential_sharing). IPv6 analogues: /48 (a site) for /24 and /32 (an allocation) for /16.
// Pure; returns null for anything that is not an IP address (events may carry none or garbage).

import { isIpv4 } from "~/domain/log-ip";

/** The /24 of an IPv4 address ("203.0.113.0/24"), or the /48 of an IPv6 address ("2001:db8:1::/48"). */
export function prefix24(ip: string): string | null {
  return prefix(ip, 24, 48);
}

/** The /16 of an IPv4 address ("203.0.0.0/16"), or the /32 of an IPv6 address ("2001:db8::/32"). */
export function prefix16(ip: string): string | null {
  return prefix(ip, 16, 32);
}

function prefix(raw: string, v4Bits: 16 | 24, v6Bits: 32 | 48): string | null {
  let ip = raw.trim();
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (isIpv4(ip)) return v4Prefix(ip.split(".").map(Number), v4Bits);
  const groups = parseIpv6(ip);
  if (!groups) return null;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address's network.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return v4Prefix([groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff], v4Bits);
  }
  const kept = groups.slice(0, v6Bits / 16).map((g) => g.toString(16));
  return `${kept.join(":")}::/${v6Bits}`;
}

function v4Prefix(octets: number[], bits: 16 | 24): string {
  return bits === 24 ? `${octets[0]}.${octets[1]}.${octets[2]}.0/24` : `${octets[0]}.${octets[1]}.0.0/16`;
}

/** Eight 16-bit groups, or null. Accepts "::" compression, a trailing dotted IPv4, and a zone id (ignored). */
function parseIpv6(input: string): number[] | null {
  let s = input.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (s.length < 2 || s.length > 45 || !s.includes(":")) return null;
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parseSide = (side: string): number[] | null => {
    if (side === "") return [];
    const out: number[] = [];
    const parts = side.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        if (!isIpv4(p)) return null;
        const o = p.split(".").map(Number);
        out.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseSide(halves[0]);
  const tail = halves.length === 2 ? parseSide(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
