// Levenshtein distance with an upper bound: detection only asks "is this within 2 edits of that?", so the
// computation stops as soon as the answer is known to be "no" (length gap alone, or a whole DP row above
// the bound). Pure; two rows of the shorter string's length.

/**
 * The edit distance (insertions, deletions, substitutions) between `a` and `b`, or `max + 1` as soon as it
 * is known to exceed `max`. Case-sensitive: lower-case both sides first for case-insensitive comparisons.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (!(max >= 0)) throw new RangeError("max must be a non-negative number");
  if (a === b) return 0;
  let s = a;
  let t = b;
  if (s.length > t.length) {
    s = b;
    t = a;
  }
  const n = s.length;
  const m = t.length;
  if (m - n > max) return max + 1;
  if (n === 0) return m;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const ti = t.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = s.charCodeAt(j - 1) === ti ? 0 : 1;
      let v = prev[j - 1] + cost;
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // Row minima never decrease: once every cell exceeds the bound, so does the answer.
    if (rowMin > max) return max + 1;
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return prev[n] > max ? max + 1 : prev[n];
}
