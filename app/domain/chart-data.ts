// The shapes the dashboards' charts draw (models produce them, components render them).

/** Live credentials whose age (days since issue or last rotation) is in [fromDays, toDays). */
export type AgeBin = { label: string; fromDays: number; toDays: number | null; count: number };
/** A tier's maximum credential age, drawn across the age chart. */
export type PolicyLine = { days: number; label: string };
