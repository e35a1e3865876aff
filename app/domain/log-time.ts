// Timestamps as gateways log them, parsed by hand into epoch milliseconds (no Date, no regex: hot path).
// Each parser returns NaN when the text is not a timestamp of its kind.
//   CLF         10/Oct/2000:13:55:36 -0700          (nginx $time_local, Apache %t, API Gateway requestTime)
//   ISO 8601    2026-11-24T10:00:00Z, …T10:00:00.123456789+01:00, "2026-11-24 10:00:00" (no zone = UTC)
//   epoch       seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function compose(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number, offsetMin: number): number {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return NaN;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMin) * 60_000 + sec * 1000 + ms;
}

/** "±HHMM" or "±HH:MM" at `at`; returns minutes east of UTC, or NaN. */
function zoneOffset(s: string, at: number, end: number): number {
  const sign = s.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return NaN;
  const hh = digits(s, at + 1, 2);
  let mmAt = at + 3;
  if (s.charCodeAt(mmAt) === 58) mmAt++;
  const mm = digits(s, mmAt, 2);
  if (hh < 0 || mm < 0 || hh > 23 || mm > 59 || mmAt + 2 !== end) return NaN;
  const off = hh * 60 + mm;
  return sign === 45 ? -off : off;
}

/** "10/Oct/2000:13:55:36 -0700" starting at `at` (26 characters); NaN otherwise. */
export function parseClf(s: string, at = 0): number {
  if (s.length < at + 26 || s.charCodeAt(at + 2) !== 47 || s.charCodeAt(at + 6) !== 47 || s.charCodeAt(at + 11) !== 58 || s.charCodeAt(at + 20) !== 32) return NaN;
  const mo = MONTHS[s.slice(at + 3, at + 6)];
  if (mo === undefined) return NaN;
  const d = digits(s, at, 2);
  const y = digits(s, at + 7, 4);
  const h = digits(s, at + 12, 2);
  const mi = digits(s, at + 15, 2);
  const sec = digits(s, at + 18, 2);
  if (d < 0 || y < 0 || h < 0 || mi < 0 || sec < 0 || s.charCodeAt(at + 14) !== 58 || s.charCodeAt(at + 17) !== 58) return NaN;
  const off = zoneOffset(s, at + 21, at + 26);
  return compose(y, mo, d, h, mi, sec, 0, off);
}

/** ISO 8601 / RFC 3339 between `at` and `end`: date, 'T' or ' ', time, optional fraction, optional zone. */
export function parseIso(s: string, at = 0, end = s.length): number {
  if (end - at < 19 || s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45 || s.charCodeAt(at + 13) !== 58 || s.charCodeAt(at + 16) !== 58) return NaN;
  const sep = s.charCodeAt(at + 10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return NaN;
  const y = digits(s, at, 4);
  const mo = digits(s, at + 5, 2);
  const d = digits(s, at + 8, 2);
  const h = digits(s, at + 11, 2);
  const mi = digits(s, at + 14, 2);
  const sec = digits(s, at + 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return NaN;
  let i = at + 19;
  let ms = 0;
  if (i < end && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
    i++;
    const from = i;
    let scale = 100;
    while (i < end) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (scale >= 1) ms += c * scale;
      scale /= 10;
      i++;
    }
    if (i === from || i - from > 12) return NaN;
  }
  let off = 0;
  if (i < end) {
    const z = s.charCodeAt(i);
    if (z === 90 || z === 122) {
      if (i + 1 !== end) return NaN;
    } else {
      off = zoneOffset(s, i, end);
      if (Number.isNaN(off)) return NaN;
    }
  }
  return compose(y, mo, d, h, mi, sec, Math.floor(ms), off);
}

/** A number of seconds, milliseconds, microseconds or nanoseconds since the epoch, told apart by magnitude. */
export function epochToMs(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return NaN;
  if (n < 1e11) return Math.floor(n * 1000); // seconds (1e11 s is the year 5138; 1e11 ms is 1973)
  if (n < 1e14) return Math.floor(n); // milliseconds
  if (n < 1e17) return Math.floor(n / 1e3); // microseconds
  return Math.floor(n / 1e6); // nanoseconds
}

function isNumericText(s: string): boolean {
  let dot = false;
  const n = s.length;
  if (n === 0 || n > 24) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && !dot) dot = true;
    else if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Any logged timestamp value: a number (epoch by magnitude), numeric text (nginx $msec "1700000000.123",
 * Cloudflare "1700000000000000000"), ISO 8601, or CLF. NaN when none of these. */
export function parseTimeValue(v: unknown): number {
  if (typeof v === "number") return epochToMs(v);
  if (typeof v !== "string" || v.length < 8) return NaN;
  const c0 = v.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return NaN;
  if (v.length >= 19 && v.charCodeAt(4) === 45) return parseIso(v);
  if (v.length >= 26 && v.charCodeAt(2) === 47) return parseClf(v);
  if (isNumericText(v)) return epochToMs(Number(v));
  return NaN;
}
