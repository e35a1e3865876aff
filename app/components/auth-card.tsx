import type { ReactNode } from "react";

/** The centred card of the signed-out pages (signing in, accepting an invitation), under its page heading. */
export function AuthCard({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
