// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The plainest automation target: counts calls and remembers who called last.
contract Counter {
    uint256 public count;
    address public lastCaller;

    event Incremented(uint256 count, address caller);

    function increment() external payable {
        count += 1;
        lastCaller = msg.sender;
        emit Incremented(count, msg.sender);
    }

    function add(uint256 amount) external {
        count += amount;
        lastCaller = msg.sender;
        emit Incremented(count, msg.sender);
    }
}
