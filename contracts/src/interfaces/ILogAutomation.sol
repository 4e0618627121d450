// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Chainlink Automation's log-trigger interface, so existing log upkeeps run unchanged.
/// `checkLog` is asked off-chain (from the zero address) for every log that matches the workflow's filter.
struct Log {
    uint256 index; // the log's index in its block
    uint256 timestamp; // its block's timestamp
    bytes32 txHash;
    uint256 blockNumber;
    bytes32 blockHash;
    address source; // the emitter
    bytes32[] topics;
    bytes data;
}

interface ILogAutomation {
    function checkLog(Log calldata log, bytes memory checkData)
        external
        returns (bool upkeepNeeded, bytes memory performData);

    function performUpkeep(bytes calldata performData) external;
}
