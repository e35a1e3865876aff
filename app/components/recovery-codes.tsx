/** Freshly made recovery codes: shown once, never again (only their hashes are kept). */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section className="panel" aria-labelledby="recovery-title">
      <h2 id="recovery-title">Your recovery codes</h2>
      <div className="alert warn" role="status">
        Save these {codes.length} codes somewhere safe now: they are shown only this once. Each one signs you in once if you lose your phone.
      </div>
      <ol className="recovery-codes mono" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
    </section>
  );
}
