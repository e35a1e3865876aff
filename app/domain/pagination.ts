/** Server-side pagination: the page to show (clamped to 1…pageCount) and how many rows to skip. */
export function pageWindow(total: number, requested: number | undefined, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, requested ?? 1), pageCount);
  return { page, pageCount, offset: (page - 1) * pageSize };
}
