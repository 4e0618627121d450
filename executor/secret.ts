import { inspect } from "node:util";
import type { Hex } from "viem";

/**
 * A private key that cannot leak by accident: printing, logging, JSON-encoding or inspecting it
 * shows "[redacted]". Only `reveal()` hands out the key, and only the signer calls it.
 */
export class SecretKey {
  readonly #key: Hex;

  constructor(key: Hex) {
    this.#key = key;
  }

  reveal(): Hex {
    return this.#key;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}
