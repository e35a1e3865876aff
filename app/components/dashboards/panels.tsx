import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

/** A number that links to the list behind it. */
export function Stat({ label, value, to }: { label: string; value: number | string; to?: string }) {
  const body = (
    <>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </>
  );
  return to ? (
    <Link to={to} className="stat">
      {body}
    </Link>
  ) : (
    <div className="stat">{body}</div>
  );
}

/** A titled dashboard section. */
export function Panel({ id, title, children, action }: { id: string; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section className="panel" aria-labelledby={id} data-panel={id}>
      <h2 id={id}>{title}</h2>
      {children}
      {action ? <p>{action}</p> : null}
    </section>
  );
}
