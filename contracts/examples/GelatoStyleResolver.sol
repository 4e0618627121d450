// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGelatoResolver} from "../src/interfaces/IAutomationCompatible.sol";

/// @notice The target a Gelato-style task calls; it trusts only its dedicated caller (the forwarder).
contract GelatoStyleTarget {
    address public dedicatedCaller;
    uint256 public lastPrice;
    uint256 public updates;

    error NotDedicatedCaller(address caller);

    function setDedicatedCaller(address caller) external {
        if (dedicatedCaller != address(0)) revert NotDedicatedCaller(msg.sender);
        dedicatedCaller = caller;
    }

    function updatePrice(uint256 price) external {
        if (dedicatedCaller != address(0) && msg.sender != dedicatedCaller) revert NotDedicatedCaller(msg.sender);
        lastPrice = price;
        updates += 1;
    }
}

/// @notice A Gelato-style resolver: says when the target should be called, and with what payload.
contract GelatoStyleResolver is IGelatoResolver {
    GelatoStyleTarget public immutable target;
    uint256 public price;

    constructor(GelatoStyleTarget target_) {
        target = target_;
    }

    function setPrice(uint256 price_) external {
        price = price_;
    }

    function checker() external view returns (bool canExec, bytes memory execPayload) {
        canExec = price != 0 && price != target.lastPrice();
        execPayload = abi.encodeCall(GelatoStyleTarget.updatePrice, (price));
    }
}
