import { Badge, type Tone } from "./badge";

const SEVERITY_TONES: Record<string, Tone> = { critical: "bad", high: "bad", medium: "warn", low: "info", info: "neutral" };
const STATUS_TONES: Record<string, Tone> = { open: "warn", acknowledged: "info", escalated: "bad", resolved: "good", false_positive: "neutral" };

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge tone={SEVERITY_TONES[severity] ?? "neutral"}>{severity}</Badge>;
}

export function FlagStatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? "neutral"}>{status.replace(/_/g, " ")}</Badge>;
}
