// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Calldata of 1-31 bytes kept in one word: the bytes left-aligned, their length in the last byte
/// (never zero, so a zero word means "none"). One storage slot where a CodeStore costs a cold account.
library ShortCall {
    error InvalidLength(uint256 length);

    /// Whether calldata of `length` bytes can be kept in a word: 1-31 (the last byte holds the length).
    function fits(uint256 length) internal pure returns (bool) {
        return length > 0 && length < 32;
    }

    function pack(bytes calldata data) internal pure returns (bytes32 word) {
        uint256 length = data.length;
        if (!fits(length)) revert InvalidLength(length);
        assembly ("memory-safe") {
            word := calldataload(data.offset)
        }
        // ABI encoding pads the bytes with zeros, but no decoder checks that it did: keep `length` bytes alone.
        word = (word & ~bytes32(type(uint256).max >> (length * 8))) | bytes32(length);
    }

    function data(bytes32 word) internal pure returns (bytes memory out) {
        out = new bytes(uint8(uint256(word)));
        assembly ("memory-safe") {
            // The array takes one whole word; past its length it must read zero, as ABI encoding pads.
            mstore(add(out, 0x20), and(word, not(0xff)))
        }
    }
}
