// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IForwarder {
    /// @param encodedActions abi.encode(Action[]); all run or none do.
    function forward(bytes calldata encodedActions) external payable;
}
