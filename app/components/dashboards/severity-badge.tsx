import { Badge, type Tone } from "~/components/badge";

const SEVERITY_TONES: Record<string, Tone> = { critical: "bad", high: "bad", medium: "warn", low: "info", info: "neutral" };

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge tone={SEVERITY_TONES[severity] ?? "neutral"}>{severity}</Badge>;
}
