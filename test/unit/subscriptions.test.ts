/** Which owner webhook URLs are refused before any request is made, and which resolved addresses. */
import { describe, expect, it } from "vitest";
import { addressProblem, subscriptionId, urlProblem } from "../../lib/subscriptions.js";

describe("urlProblem", () => {
  it.each([
    "https://hooks.example.com/x?token=1",
    "http://203.0.113.9:8080/a",
    "http://10.0.0.5/internal", // a team's own network is theirs to use
    "http://[2001:db8::1]/x",
  ])("takes %s", (url) => {
    expect(urlProblem(url, false)).toBeUndefined();
  });

  it.each([
    ["ftp://203.0.113.9/", "must be http(s)"],
    ["javascript:alert(1)", "must be http(s)"],
    ["http://127.0.0.1/", "loopback"],
    ["http://127.8.9.10/", "loopback"],
    ["http://2130706433/", "loopback"], // the URL parser reads it as 127.0.0.1
    ["http://0x7f.1/", "loopback"],
    ["http://localhost:8080/", "loopback"],
    ["http://LOCALHOST./", "loopback"],
    ["http://a.b.localhost/", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://169.254.169.254/latest", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://0.0.0.0/", "unspecified"],
    ["http://user:pw@hooks.example.com/", "user or password"],
    ["no url", "not a URL"],
    [`https://hooks.example.com/${"x".repeat(2048)}`, "longer than"],
  ])("refuses %s", (url, why) => {
    expect(urlProblem(url, false)).toContain(why);
  });

  it("takes loopback only when allowed, and never link-local", () => {
    expect(urlProblem("http://127.0.0.1:9000/hook", true)).toBeUndefined();
    expect(urlProblem("http://localhost:9000/hook", true)).toBeUndefined();
    expect(urlProblem("http://169.254.169.254/", true)).toContain("link-local");
  });
});

describe("addressProblem", () => {
  it("judges what a name resolved to", () => {
    expect(addressProblem("93.184.215.14", false)).toBeUndefined();
    expect(addressProblem("127.0.0.53", false)).toContain("loopback");
    expect(addressProblem("::ffff:7f00:1", false)).toContain("loopback");
    expect(addressProblem("127.0.0.53", true)).toBeUndefined();
  });
});

it("names a subscription by its URL: the same URL is the same subscription", () => {
  expect(subscriptionId("https://a.example/x")).toBe(subscriptionId("https://a.example/x"));
  expect(subscriptionId("https://a.example/x")).not.toBe(subscriptionId("https://a.example/y"));
  expect(subscriptionId("https://a.example/x")).toMatch(/^[0-9a-f]{16}$/);
});
