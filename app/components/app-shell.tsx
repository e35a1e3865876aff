import { Form, Link, NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { can } from "~/domain/permissions";
import { ROLE_LABELS, type Role } from "~/domain/roles";

type ShellUser = { name: string; email: string; role: Role; orgKind: "partner" | "contractor" | null; orgName: string | null };

const NAV: { to: string; label: string; permission: `${string}:${string}` }[] = [
  { to: "/dashboard", label: "Dashboard", permission: "read:dashboard" },
  { to: "/orgs", label: "Organisations", permission: "read:org" },
  { to: "/credentials", label: "Credentials", permission: "read:credential" },
  { to: "/rotations", label: "Rotations", permission: "read:rotation" },
  { to: "/attestations", label: "Attestations", permission: "read:attestation" },
  { to: "/reviews", label: "Access reviews", permission: "read:campaign" },
  { to: "/imports", label: "Imports", permission: "read:import" },
  { to: "/flags", label: "Flags", permission: "read:flag" },
  { to: "/users", label: "Users", permission: "read:user" },
  { to: "/catalog", label: "Catalog", permission: "read:catalog" },
  { to: "/settings", label: "Policies", permission: "read:policy" },
  { to: "/settings/webhooks", label: "Webhooks", permission: "read:webhook" },
  { to: "/settings/tokens", label: "API tokens", permission: "read:token" },
  { to: "/settings/detection", label: "Detection", permission: "read:flag:any" },
  { to: "/audit", label: "Audit log", permission: "read:audit" },
];

export function AppShell({ user, children }: { user: ShellUser; children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/dashboard">
          <span aria-hidden="true" className="brand-mark">
            ◆
          </span>{" "}
          Keyward
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => can(user, n.permission)).map((n) => (
              <li key={n.to}>
                <NavLink to={n.to} prefetch="intent" end={n.to === "/settings"}>
                  {n.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          <span>
            <strong>{user.name}</strong>
            <span className="muted">
              {" "}
              · {ROLE_LABELS[user.role]}
              {user.orgName ? ` · ${user.orgName}` : ""}
            </span>
          </span>
          <Link to="/account">Account security</Link>
          <Form method="post" action="/logout">
            <button type="submit" className="link-button">
              Sign out
            </button>
          </Form>
        </div>
      </header>
      <div id="main" className="content">
        {children}
      </div>
    </div>
  );
}
