import type { ReactNode } from "react";

/** A column heading: its text, or the text plus a class (e.g. "num") and whether only screen readers see it. */
export type Column = string | { label: string; className?: string; visuallyHidden?: boolean };

/** Every table is named: by its own aria-label, or by the id of the heading above it. */
type Name = { label: string; labelledBy?: never } | { labelledBy: string; label?: never };

/**
 * The list-page table: `.table-wrap > table` with one header row of `th scope="col"` and a body of
 * `row(item)` (which returns the `<tr key=…>`). When there are no rows and `empty` is given, the body is a
 * single full-width "empty" cell saying so. Columns that are `false`/`null` are left out, so a column
 * shown only to some roles is `canEdit && "Actions"`.
 */
export function DataTable<T>({
  columns,
  rows,
  row,
  empty,
  className,
  ...name
}: Name & {
  columns: readonly (Column | false | null | undefined)[];
  rows: readonly T[];
  row: (item: T) => ReactNode;
  empty?: ReactNode;
  className?: string;
}) {
  const shown = columns.filter((c): c is Column => Boolean(c));
  return (
    <div className="table-wrap">
      <table aria-label={name.label} aria-labelledby={name.labelledBy} className={className}>
        <thead>
          <tr>
            {shown.map((c) => {
              const col = typeof c === "string" ? { label: c } : c;
              return (
                <th key={col.label} scope="col" className={col.className}>
                  {col.visuallyHidden ? <span className="visually-hidden">{col.label}</span> : col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && empty !== undefined ? (
            <tr>
              <td colSpan={shown.length} className="empty">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map(row)
          )}
        </tbody>
      </table>
    </div>
  );
}
