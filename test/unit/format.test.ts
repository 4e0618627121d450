import { describe, expect, it } from "vitest";
import { eth, fullEth, seconds } from "../../lib/format.js";

describe("numbers for people", () => {
  it("shows ETH to 6 significant digits, keeping every wei for the hover", () => {
    expect(eth(153352730925412n)).toBe("0.000153353 ETH");
    expect(fullEth(153352730925412n)).toBe("0.000153352730925412 ETH");
    expect(eth(999846647269074588n)).toBe("0.999847 ETH");
    expect(eth(10n ** 16n)).toBe("0.01 ETH");
    expect(eth(0n)).toBe("0 ETH");
    expect(eth(1n)).toBe("0.000000000000000001 ETH");
    expect(eth(1234567n * 10n ** 18n)).toBe("1,234,570 ETH");
  });

  it("shows seconds with at most one decimal", () => {
    expect(seconds(24.799999999999994)).toBe("24.8 s");
    expect(seconds(3)).toBe("3 s");
    expect(seconds(null)).toBe("—");
  });
});
