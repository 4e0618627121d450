// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAutomationCompatible} from "../src/interfaces/IAutomationCompatible.sol";

/// @notice A Chainlink Automation-style upkeep: `checkUpkeep` is simulation-only (Chainlink's
/// `cannotExecute` guard) and `performUpkeep` re-checks its own condition, as real upkeeps do.
contract ChainlinkStyleUpkeep is IAutomationCompatible {
    uint256 public threshold;
    uint256 public value;
    uint256 public performed;
    address public lastCaller;

    error OnlySimulatedBackend();
    error ConditionNotMet(uint256 value, uint256 threshold);

    event Performed(uint256 performed, bytes performData);

    modifier cannotExecute() {
        if (tx.origin != address(0) && tx.origin != address(0x1111111111111111111111111111111111111111)) {
            revert OnlySimulatedBackend();
        }
        _;
    }

    constructor(uint256 threshold_) {
        threshold = threshold_;
    }

    /// @notice Anyone can move the observed value; the upkeep is needed once it reaches the threshold.
    function setValue(uint256 value_) external {
        value = value_;
    }

    function checkUpkeep(bytes calldata checkData)
        external
        view
        cannotExecute
        returns (bool upkeepNeeded, bytes memory performData)
    {
        upkeepNeeded = value >= threshold;
        performData = abi.encode(value, checkData);
    }

    function performUpkeep(bytes calldata performData) external {
        if (value < threshold) revert ConditionNotMet(value, threshold);
        performed += 1;
        value = 0;
        lastCaller = msg.sender;
        emit Performed(performed, performData);
    }
}
