// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Action} from "../Types.sol";

interface IForwarder {
    /// @notice Runs the actions in order as the workflow's identity; all run or none do.
    function forward(Action[] calldata actions) external payable;

    /// @notice Makes one call as the workflow's identity, with the value sent (a checker's run: Chainlink's
    /// performUpkeep, Gelato's payload); it reverts as the target did.
    function forwardCall(address target, bytes calldata data) external payable;
}
