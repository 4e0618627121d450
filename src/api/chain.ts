import { networkFromEnv } from "../../lib/network.js";

/** The chain this Ponder app indexes (the same env the config read). */
export const network = networkFromEnv();
