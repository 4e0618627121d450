// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Immutable byte strings kept as the code of a contract of their own: written once for the
/// price of deploying them, then read for a cold account access (2,600 gas) plus 3 gas a word, where
/// storage costs 2,100 gas a word. A run reads its workflow's actions every time, so for the plainest
/// action (7 ABI words) this is 2.8k gas a run instead of 14.7k, and registration is cheaper too.
/// @dev The code starts with STOP (0x00), so calling the store does nothing.
library CodeStore {
    /// EIP-170's limit on a contract's code, less the leading STOP.
    uint256 internal constant MAX_BYTES = 24_575;

    error TooLarge(uint256 length);
    error WriteFailed();

    function write(bytes memory data) internal returns (address store) {
        if (data.length >= MAX_BYTES) revert TooLarge(data.length);
        // Init code (10 bytes) that returns everything after it, 0x00 followed by `data`, as the code:
        //   PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE (0), CODECOPY, RETURNDATASIZE (0), RETURN
        bytes memory code = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a3d393df3", hex"00", data);
        assembly ("memory-safe") {
            store := create(0, add(code, 0x20), mload(code))
        }
        if (store == address(0)) revert WriteFailed();
    }

    function read(address store) internal view returns (bytes memory data) {
        uint256 size = store.code.length;
        if (size == 0) return data;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(store, add(data, 0x20), 1, sub(size, 1))
        }
    }
}
