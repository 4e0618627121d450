/** The API's cursor parsers: what they take back, and what they refuse with a 400 before it reaches SQL. */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api/errors.js";
import { dueCursor, encodeCursor, positionCursor, workflowCursor } from "../../src/api/params.js";

const refused = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    return error instanceof ApiError ? `${error.status} ${error.code}` : String(error);
  }
  return "taken";
};

describe("cursors", () => {
  it("take back what the API returned", () => {
    expect(positionCursor(encodeCursor([123n, 7]))).toEqual([123n, 7n]);
    expect(workflowCursor(encodeCursor([42n, 31337]))).toEqual([42n, 31337]);
    expect(dueCursor(encodeCursor([1_800_000_000n, 9n]))).toEqual([1_800_000_000n, 9n]);
    expect(positionCursor(undefined)).toBeUndefined();
  });

  it("refuse what the index cannot hold or the API never returned", () => {
    // A log index or chain id past a Postgres integer.
    expect(refused(() => positionCursor(encodeCursor([1n, 2n ** 31n])))).toBe("400 invalid_cursor");
    expect(refused(() => workflowCursor(encodeCursor([1n, 2n ** 31n])))).toBe("400 invalid_cursor");
    // Past uint256, the wrong number of parts, not base64url, not numbers, too long.
    expect(refused(() => dueCursor(encodeCursor([2n ** 256n, 1n])))).toBe("400 invalid_cursor");
    expect(refused(() => positionCursor(encodeCursor([1n, 2n, 3n])))).toBe("400 invalid_cursor");
    expect(refused(() => positionCursor("not+base64"))).toBe("400 invalid_cursor");
    expect(refused(() => positionCursor(Buffer.from("a:b").toString("base64url")))).toBe("400 invalid_cursor");
    expect(refused(() => positionCursor("A".repeat(201)))).toBe("400 invalid_cursor");
    expect(refused(() => positionCursor(encodeCursor([1n, 2n ** 31n - 1n])))).toBe("taken");
  });
});
