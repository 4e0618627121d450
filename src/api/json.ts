/** JSON with bigints as decimal strings, as the API promises. */
export type Jsonify<T> = T extends bigint
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

export function jsonify<T>(value: T): Jsonify<T> {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v))) as Jsonify<T>;
}
