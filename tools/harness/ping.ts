/** The test Emitter's event (contracts/examples/Emitter.sol), as LOG workflows and their tests name it. */
import { encodeAbiParameters, type Hex, toEventSelector } from "viem";

export const PING = toEventSelector("Ping(address,uint256,uint256,bytes)");

/** A uint256 as the 32-byte word a topic filter compares against. */
export const word = (n: bigint): Hex => encodeAbiParameters([{ type: "uint256" }], [n]);
