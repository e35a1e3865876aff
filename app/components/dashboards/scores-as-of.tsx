import { UtcTime } from "~/components/utc-time";

/** Where the ranking's scores come from (shown under each ranking). */
export function ScoresAsOf({ asOf }: { asOf: string | null }) {
  return (
    <p className="muted">
      {asOf ? (
        <>
          Scores as of <UtcTime iso={asOf} /> (taken hourly);
        </>
      ) : (
        <>Scores computed now;</>
      )}{" "}
      each organisation&apos;s page explains its current score line by line.
    </p>
  );
}
