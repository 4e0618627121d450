// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Action} from "./Types.sol";
import {BoundedCall} from "./BoundedCall.sol";
import {IForwarder} from "./interfaces/IForwarder.sol";

/// @title Forwarder
/// @notice The identity a workflow's actions run under. Every workflow gets its own EIP-1167 clone of
/// this contract, so a target can trust `msg.sender == forwarder`, and since a forwarder holds no role
/// anywhere, no workflow can borrow the privileges of the system contracts.
/// @dev Clones delegatecall this code, so the immutable `executor` is shared by every clone.
contract Forwarder is IForwarder {
    /// Revert data kept from a failing target; enough for Error(string) reasons and custom errors.
    uint256 public constant MAX_REVERT_BYTES = 256;

    address public immutable executor;

    error OnlyExecutor();
    error ValueMismatch();

    constructor(address executor_) {
        executor = executor_;
    }

    /// @dev The actions stay in calldata: the executor passes a workflow's stored encoding as it is, so
    /// nothing is decoded into memory.
    function forward(Action[] calldata actions) external payable {
        if (msg.sender != executor) revert OnlyExecutor();
        uint256 total;
        for (uint256 i; i < actions.length; ++i) {
            total += actions[i].value;
        }
        if (total != msg.value) revert ValueMismatch();
        for (uint256 i; i < actions.length; ++i) {
            Action calldata a = actions[i];
            (bool ok, bytes memory reason) =
                BoundedCall.callWithCalldata(a.target, gasleft(), a.value, a.data, MAX_REVERT_BYTES);
            if (!ok) _bubble(reason);
        }
    }

    /// @dev One call needs no Action[] to be encoded by the executor and walked here: a checker-driven run
    /// (Chainlink, Gelato) is always one call, as is a workflow's short call (ShortCall), and this path saves
    /// them that work.
    function forwardCall(address target, bytes calldata data) external payable {
        if (msg.sender != executor) revert OnlyExecutor();
        (bool ok, bytes memory reason) =
            BoundedCall.callWithCalldata(target, gasleft(), msg.value, data, MAX_REVERT_BYTES);
        if (!ok) _bubble(reason);
    }

    /// @dev Reverts with the target's own revert data, so the run's recorded reason is the target's.
    function _bubble(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
    }
}
