// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAutomationCompatible} from "../src/interfaces/IAutomationCompatible.sol";

/// @notice A Chainlink-style upkeep that trusts its keeper completely, so the fault tests can count a
/// keeper's mistakes. Each ticket (the time it fell due) should be performed exactly once:
/// `performUpkeep` does not refuse a ticket it has already seen, so a doubled run shows up as a
/// ticket performed twice, and a lost one as a ticket left open.
contract TicketUpkeep is IAutomationCompatible {
    uint64 public immutable period;
    /// The open ticket: due once block.timestamp reaches it.
    uint64 public nextAt;
    mapping(uint64 ticket => uint256 count) public performs;

    event Performed(uint64 indexed ticket, uint256 count);

    constructor(uint64 period_, uint64 firstAt) {
        period = period_;
        nextAt = firstAt;
    }

    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        upkeepNeeded = block.timestamp >= nextAt;
        performData = abi.encode(nextAt);
    }

    function performUpkeep(bytes calldata performData) external {
        uint64 ticket = abi.decode(performData, (uint64));
        uint256 count = ++performs[ticket];
        emit Performed(ticket, count);
        if (ticket == nextAt) nextAt = uint64(block.timestamp) + period;
    }
}
