/** Structured logs (pino, JSON lines). Keys are SecretKey objects and print as "[redacted]"; the
 * redact list is a second fence for anything that slips through as a plain field. */
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: "autokeeper-executor", ...base },
    redact: {
      paths: ["privateKey", "*.privateKey", "key", "*.key", "keys", "*.keys", "signerKeys", "*.signerKeys"],
      censor: "[redacted]",
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/**
 * Says a recurring complaint once, then at most every `everyMs` with how many were held back: an outage
 * shows in the log without drowning it (a pass failing every 200 ms would be 18,000 lines an hour).
 */
export function throttled(everyMs = 10_000): (say: (heldBack: number) => void) => void {
  let last = 0;
  let held = 0;
  return (say) => {
    const now = Date.now();
    if (now - last < everyMs) {
      held += 1;
      return;
    }
    say(held);
    last = now;
    held = 0;
  };
}
