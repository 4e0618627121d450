// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RunContext, SkipReason, Status} from "../Types.sol";

interface IWorkflowRegistry {
    function ownerAndStatus(uint256 id) external view returns (address owner, Status status);

    function beginRun(uint256 id, uint256 balance, bytes calldata performData)
        external
        returns (SkipReason reason, RunContext memory run);
}
