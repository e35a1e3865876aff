import { useEffect, useId, useRef, useState, type ChangeEvent } from "react";
import { describedBy, FieldError, FieldHint, type FieldErrors } from "~/components/form";

/** Lowercase hex SHA-256 of a string, computed in the browser (Web Crypto). */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The optional fingerprint. The user pastes the key into a password input that has NO name, so the
 * browser never submits it; a React change handler hashes it (SHA-256) and writes only the hex digest
 * into the hidden input named "fingerprint". Without JavaScript the paste field stays disabled and
 * nothing is sent. No inline script: CSP allows none.
 */
export function FingerprintField({ defaultValue, errors }: { defaultValue?: string; errors?: FieldErrors }) {
  const id = useId();
  const [fingerprint, setFingerprint] = useState(defaultValue ?? "");
  const [ready, setReady] = useState(false);
  const secretRef = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setReady(true), []);
  const error = problem ?? errors?.fingerprint?.[0];

  const onChange = async (e: ChangeEvent<HTMLInputElement>) => {
    const secret = e.currentTarget.value;
    setProblem(null);
    if (!secret) return setFingerprint("");
    if (!globalThis.crypto?.subtle) return setProblem("This browser cannot compute the fingerprint here (it needs HTTPS).");
    setFingerprint(await sha256Hex(secret));
  };

  return (
    <div className={`field fingerprint-field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>Fingerprint (optional): paste the key</label>
      <input
        id={id}
        ref={secretRef}
        type="password"
        autoComplete="off"
        spellCheck={false}
        disabled={!ready}
        onChange={onChange}
        aria-describedby={describedBy(id, true, error)}
        aria-invalid={error ? true : undefined}
      />
      <input type="hidden" name="fingerprint" value={fingerprint} />
      <FieldHint
        id={id}
        hint={
          ready
            ? "Your browser hashes the key (SHA-256); only the hash is sent, never the key. Leave empty to skip."
            : "Needs JavaScript. Without it, nothing is read from this field."
        }
      />
      {fingerprint ? (
        <p className="fingerprint-digest" aria-live="polite">
          SHA-256 <span className="mono">{fingerprint.slice(0, 12)}…</span>{" "}
          <button type="button" className="link-button" onClick={() => {
            if (secretRef.current) secretRef.current.value = "";
            setFingerprint("");
          }}>
            Clear
          </button>
        </p>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
}
