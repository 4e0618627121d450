// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Action} from "../Types.sol";

interface IForwarder {
    /// @notice Runs the actions in order as the workflow's identity; all run or none do.
    function forward(Action[] calldata actions) external payable;
}
