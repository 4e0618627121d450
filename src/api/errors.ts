import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error the client caused or asked for; anything else is ours and answers 500 without details. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A workflow id that several chains have, asked for without `?chainId=`: the answer names the chains. */
export class AmbiguousWorkflow extends ApiError {
  constructor(
    readonly workflowId: bigint,
    readonly chainIds: number[],
  ) {
    super(
      400,
      "chain_id_required",
      `workflow ${workflowId} exists on chains ${chainIds.join(", ")}: name one with ?chainId=`,
    );
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
export const unauthorized = (code: string, message: string) => new ApiError(401, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const unavailable = (message: string) => new ApiError(503, "unavailable", message);

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function onApiError(error: Error, c: Context) {
  if (error instanceof ApiError) return c.json(errorBody(error.code, error.message), error.status);
  // Malformed JSON bodies and the like surface as HTTPException-like errors with a 4xx status.
  const status = (error as { status?: number }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return c.json(errorBody("bad_request", error.message), status as ContentfulStatusCode);
  }
  console.error("api error", error);
  return c.json(errorBody("internal", "internal error"), 500);
}
