import { Link, useLocation } from "@remix-run/react";

/** Previous/next links that keep the current filters in the query string. */
export function Pagination({ page, pageCount, total, noun }: { page: number; pageCount: number; total: number; noun: string }) {
  const { pathname, search } = useLocation();
  const href = (p: number) => {
    const params = new URLSearchParams(search);
    params.set("page", String(p));
    return `${pathname}?${params}`;
  };
  return (
    <nav className="pagination" aria-label="Pagination">
      <span className="muted">
        {total} {noun}
        {total === 1 ? "" : "s"} · page {page} of {pageCount}
      </span>
      {page > 1 ? <Link to={href(page - 1)}>← Previous</Link> : null}
      {page < pageCount ? <Link to={href(page + 1)}>Next →</Link> : null}
    </nav>
  );
}
