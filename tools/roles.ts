import { keccak256, toHex } from "viem";

export const WORKER_ROLE = keccak256(toHex("WORKER_ROLE"));
export const EXECUTOR_ROLE = keccak256(toHex("EXECUTOR_ROLE"));
export const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}` as const;
