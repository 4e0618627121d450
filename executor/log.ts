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
