// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Keeps the calldata and caller of its last call: tests check a run hands its target exactly
/// the bytes registered.
contract Recorder {
    bytes public lastData;
    address public lastCaller;

    fallback() external payable {
        lastData = msg.data;
        lastCaller = msg.sender;
    }
}
