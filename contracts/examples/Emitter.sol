// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Emits the events LOG workflows react to: one `Ping` per call, or a burst of them in one transaction.
contract Emitter {
    uint256 public pings;

    event Ping(address indexed from, uint256 indexed n, uint256 indexed tag, bytes data);

    function ping(uint256 tag, bytes calldata data) external {
        emit Ping(msg.sender, ++pings, tag, data);
    }

    /// @notice `count` pings in one transaction, all with `tag` (a burst in one block).
    function pingMany(uint256 count, uint256 tag) external {
        uint256 n = pings;
        for (uint256 i; i < count; ++i) {
            emit Ping(msg.sender, ++n, tag, "");
        }
        pings = n;
    }
}
