import type { Series } from "./stacked-bars";

// The series the dashboards draw, each with its colour class (app/styles/app.css).

export const SEVERITY_SERIES: readonly Series[] = [
  { key: "critical", label: "Critical", className: "chart-sev-critical" },
  { key: "high", label: "High", className: "chart-sev-high" },
  { key: "medium", label: "Medium", className: "chart-sev-medium" },
  { key: "low", label: "Low", className: "chart-sev-low" },
  { key: "info", label: "Info", className: "chart-sev-info" },
];

export const USAGE_SERIES: readonly Series[] = [
  { key: "requests", label: "Requests", className: "chart-requests" },
  { key: "errors", label: "Errors", className: "chart-errors" },
];

export const SOURCES_SERIES: readonly Series[] = [{ key: "sources", label: "Distinct source IPs", className: "chart-sources" }];

export const ATTESTATION_SERIES: readonly Series[] = [
  { key: "current", label: "Current", className: "chart-att-current" },
  { key: "due_soon", label: "Due soon", className: "chart-att-due_soon" },
  { key: "overdue", label: "Overdue", className: "chart-att-overdue" },
  { key: "missing", label: "Missing", className: "chart-att-missing" },
];

export const SCORE_SERIES: readonly Series[] = [{ key: "score", label: "Risk score", className: "chart-fill-primary" }];
