import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { logout } from "~/auth.server";

export async function action({ request }: ActionFunctionArgs) {
  return redirect("/login", { headers: { "Set-Cookie": await logout(request) } });
}

// Signing out changes state, so GET does nothing but send the user home.
export function loader() {
  return redirect("/dashboard");
}
