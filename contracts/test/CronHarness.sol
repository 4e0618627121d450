// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Cron} from "../src/Cron.sol";

/// @notice Exposes the Cron library to the tests, which compare it with lib/cron.ts and measure its gas.
contract CronHarness {
    function parse(string memory expr) external pure returns (uint256) {
        return Cron.parse(bytes(expr));
    }

    function next(uint256 spec, uint256 afterTimestamp) external pure returns (uint256) {
        return Cron.next(spec, afterTimestamp);
    }

    /// The first tick after the current block's time: what a registry asks when a CRON workflow runs.
    function nextFromNow(uint256 spec) external view returns (uint256) {
        return Cron.next(spec, block.timestamp);
    }

    /// `parse`, and the gas it took (the library call alone, without calldata and dispatch).
    function parseGas(string memory expr) external view returns (uint256 spec, uint256 gasUsed) {
        bytes memory b = bytes(expr);
        uint256 before = gasleft();
        spec = Cron.parse(b);
        gasUsed = before - gasleft();
    }

    /// `next`, and the gas it took (the library call alone).
    function nextGas(uint256 spec, uint256 afterTimestamp) external view returns (uint256 tick, uint256 gasUsed) {
        uint256 before = gasleft();
        tick = Cron.next(spec, afterTimestamp);
        gasUsed = before - gasleft();
    }
}
