import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/auth.server";
import { RankedOrgsTable } from "~/components/dashboards/ranked-orgs";
import { ScoresAsOf } from "~/components/dashboards/scores-as-of";
import { Pagination } from "~/components/pagination";
import { pageWindow } from "~/domain/pagination";
import { serverTimer } from "~/models/dashboard-timing.server";
import { oldestAsOf, rankedRow } from "~/models/dashboard-vendor.server";
import { rankOrgRisks } from "~/models/risk-snapshot.server";

export const meta: MetaFunction = () => [{ title: "Organisations ranked by risk · Keyward" }];

export const RANKING_PAGE_SIZE = 25;
const Query = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1) });

/** Every organisation the user may see, ranked by risk (the dashboards' ranking: hourly snapshots, live for the rest), a page at a time. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "read:dashboard:any");
  const query = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const timer = serverTimer();
  const ranked = timer.time("rank", () => rankOrgRisks(user));
  const { page, pageCount, offset } = pageWindow(ranked.length, query.page, RANKING_PAGE_SIZE);
  return json(
    { rows: ranked.slice(offset, offset + RANKING_PAGE_SIZE).map(rankedRow), first: offset + 1, total: ranked.length, page, pageCount, asOf: oldestAsOf(ranked) },
    { headers: { "Server-Timing": timer.header() } }
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => ({ "Server-Timing": loaderHeaders.get("Server-Timing") ?? "" });

export default function RiskRanking() {
  const data = useLoaderData<typeof loader>();
  return (
    <main>
      <div className="page-header">
        <h1 id="ranking">Organisations ranked by risk</h1>
        <div className="actions">
          <Link to="/dashboard">Dashboard</Link>
        </div>
      </div>
      <RankedOrgsTable labelledBy="ranking" rows={data.rows} first={data.first} />
      <Pagination page={data.page} pageCount={data.pageCount} total={data.total} noun="organisation" />
      <ScoresAsOf asOf={data.asOf} />
    </main>
  );
}
