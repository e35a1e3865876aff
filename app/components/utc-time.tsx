/** A timestamp shown in UTC to the minute ("2026-11-24 09:30 UTC"), machine-readable in dateTime. */
export function UtcTime({ iso }: { iso: string }) {
  return <time dateTime={iso}>{iso.slice(0, 16).replace("T", " ")} UTC</time>;
}
