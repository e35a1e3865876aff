/** A stored lower-case value as a label: "partner" → "Partner". */
export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
