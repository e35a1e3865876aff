import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { getUser } from "~/auth.server";
import { AppShell } from "~/components/app-shell";
import { useNonce } from "~/components/nonce";
import styles from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Keyward" }, { name: "description", content: "Third-party access governance for a restricted API" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return json({ user: user && { id: user.id, name: user.name, email: user.email, role: user.role, orgKind: user.orgKind, orgName: user.orgName, orgSlug: user.orgSlug } });
}

export type RootUser = NonNullable<ReturnType<typeof useRootUser>>;
export function useRootUser() {
  return useRouteLoaderData<typeof loader>("root")?.user ?? null;
}

function Document({ children, title }: { children: ReactNode; title?: string }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {title ? <title>{title}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <Document>
      {user ? (
        <AppShell user={user}>
          <Outlet />
        </AppShell>
      ) : (
        <Outlet />
      )}
    </Document>
  );
}

/** One error boundary: 404/403 explained, anything else generic (details stay in the server log). */
export function ErrorBoundary() {
  const error = useRouteError();
  const user = useRootUser();
  let title = "Something went wrong";
  let message = "The error has been logged. Try again, or go back to the dashboard.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = "Not found";
      message = "There is nothing here, or you do not have access to it.";
    } else if (error.status === 403) {
      title = "Not allowed";
      message = typeof error.data === "string" && error.data ? error.data : "Your role does not allow this.";
    } else if (error.status === 400) {
      title = "Bad request";
      message = typeof error.data === "string" ? error.data : message;
    }
  }
  const body = (
    <main className="page narrow" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p>
        <a href={user ? "/dashboard" : "/login"}>{user ? "Back to the dashboard" : "Sign in"}</a>
      </p>
    </main>
  );
  return <Document title={`${title} · Keyward`}>{user ? <AppShell user={user}>{body}</AppShell> : body}</Document>;
}
