// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Chainlink Automation's upkeep interface, so existing upkeeps run unchanged.
interface IAutomationCompatible {
    function checkUpkeep(bytes calldata checkData) external returns (bool upkeepNeeded, bytes memory performData);

    function performUpkeep(bytes calldata performData) external;
}

/// @notice Gelato's resolver interface: the payload is called on the task's target.
interface IGelatoResolver {
    function checker() external view returns (bool canExec, bytes memory execPayload);
}
