import { useId, useState } from "react";

/**
 * A value Keyward shows only once (an invitation link, a signing secret): a labelled read-only input that
 * selects itself on focus, a Copy button, and a polite status line saying whether copying worked.
 * `noun` names the value in the fallback message ("select the link and copy it by hand").
 */
export function CopyOnce({ label, value, noun, inputClassName }: { label: string; value: string; noun: string; inputClassName?: string }) {
  const id = useId();
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  };
  return (
    <div className="copy-once">
      <label htmlFor={id} className="copy-once-label">
        {label}
      </label>
      <div className="copy-box">
        <input id={id} className={inputClassName} type="text" value={value} readOnly onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="muted" aria-live="polite">
        {copied === "yes" ? "Copied to the clipboard." : copied === "no" ? `Copy did not work here: select the ${noun} and copy it by hand.` : ""}
      </p>
    </div>
  );
}
