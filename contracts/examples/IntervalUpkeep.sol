// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAutomationCompatible} from "../src/interfaces/IAutomationCompatible.sol";

/// @notice Chainlink's canonical example upkeep: needed once `interval` seconds have passed since the
/// last perform. `performUpkeep` re-checks the condition itself, as every upkeep must.
contract IntervalUpkeep is IAutomationCompatible {
    uint256 public immutable interval;
    uint256 public lastTimeStamp;
    uint256 public counter;

    error TooSoon();

    constructor(uint256 interval_) {
        interval = interval_;
        lastTimeStamp = block.timestamp;
    }

    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        upkeepNeeded = block.timestamp - lastTimeStamp >= interval;
        performData = abi.encode(counter + 1);
    }

    function performUpkeep(bytes calldata) external {
        if (block.timestamp - lastTimeStamp < interval) revert TooSoon();
        lastTimeStamp = block.timestamp;
        counter += 1;
    }
}
