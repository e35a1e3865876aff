import { describe, expect, it } from "vitest";
import { prefix16, prefix24 } from "~/domain/detection/ip-prefix";

describe("prefix24 / prefix16", () => {
  it("gives the /24 and /16 of an IPv4 address", () => {
    expect(prefix24("203.0.113.9")).toBe("203.0.113.0/24");
    expect(prefix16("203.0.113.9")).toBe("203.0.0.0/16");
    expect(prefix24("10.1.2.255")).toBe("10.1.2.0/24");
    expect(prefix24("10.1.2.3")).toBe(prefix24("10.1.2.200"));
    expect(prefix24("10.1.2.3")).not.toBe(prefix24("10.1.3.3"));
    expect(prefix16("10.1.2.3")).toBe(prefix16("10.1.250.3"));
    expect(prefix16("10.1.2.3")).not.toBe(prefix16("10.2.2.3"));
  });

  it("gives the /48 and /32 of an IPv6 address as the analogues", () => {
    expect(prefix24("2001:db8:1:2::5")).toBe("2001:db8:1::/48");
    expect(prefix16("2001:db8:1:2::5")).toBe("2001:db8::/32");
    // the same network however the address is written
    expect(prefix24("2001:0DB8:0001:ffff:0:0:0:1")).toBe("2001:db8:1::/48");
    expect(prefix24("2001:db8:1::")).toBe("2001:db8:1::/48");
    expect(prefix24("::1")).toBe("0:0:0::/48");
    expect(prefix24("[2001:db8:1::7]")).toBe("2001:db8:1::/48");
    expect(prefix24("fe80::1%eth0")).toBe("fe80:0:0::/48");
    expect(prefix24("2001:db8:2::1")).not.toBe(prefix24("2001:db8:1::1"));
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 address", () => {
    expect(prefix24("::ffff:203.0.113.9")).toBe("203.0.113.0/24");
    expect(prefix16("::ffff:cb00:7109")).toBe("203.0.0.0/16");
  });

  it("returns null for anything that is not an address", () => {
    for (const bad of ["", "-", "unknown", "203.0.113", "203.0.113.256", "01.2.3.4", "1.2.3.4.5", "2001:db8::1::2", "2001:db8:g::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::1", ":::"]) {
      expect(prefix24(bad), bad).toBeNull();
      expect(prefix16(bad), bad).toBeNull();
    }
  });
});
