// Per-panel timing for the dashboards' loaders, sent as a Server-Timing header (RFC: W3C Server Timing)
// so that a slow panel shows in the browser's network panel and in the benchmark without a profiler.

export type Timer = <T>(name: string, work: () => T) => T;

/** A timer that records nothing (the default for callers that do not report timings). */
export const untimed: Timer = (_name, work) => work();

/** Records how long each named part took; `header()` gives the Server-Timing value (`name;dur=ms`, in call order). */
export function serverTimer() {
  const parts: [string, number][] = [];
  const time: Timer = (name, work) => {
    const start = performance.now();
    try {
      return work();
    } finally {
      parts.push([name, performance.now() - start]);
    }
  };
  const header = () => parts.map(([name, ms]) => `${name.replace(/[^A-Za-z0-9_-]/g, "_")};dur=${ms.toFixed(1)}`).join(", ");
  return { time, header };
}
