// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Calls that copy at most `maxReturn` bytes of a failed call's return data, so a target that
/// answers with megabytes of revert data cannot make the caller run out of gas copying it. A call that
/// succeeds copies nothing and allocates nothing: in a batch of 100 runs, memory that is never freed.
library BoundedCall {
    /// @return success whether the call succeeded
    /// @return revertData on failure, the first `maxReturn` bytes the target returned; empty on success
    function call(address target, uint256 gasLimit, uint256 value, bytes memory data, uint256 maxReturn)
        internal
        returns (bool success, bytes memory revertData)
    {
        assembly ("memory-safe") {
            success := call(gasLimit, target, value, add(data, 0x20), mload(data), 0, 0)
        }
        if (!success) revertData = _returned(maxReturn);
    }

    /// @notice The same for data in calldata, copied to scratch memory past the free pointer (not kept).
    function callWithCalldata(address target, uint256 gasLimit, uint256 value, bytes calldata data, uint256 maxReturn)
        internal
        returns (bool success, bytes memory revertData)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, data.offset, data.length)
            success := call(gasLimit, target, value, ptr, data.length, 0, 0)
        }
        if (!success) revertData = _returned(maxReturn);
    }

    function _returned(uint256 maxReturn) private pure returns (bytes memory data) {
        uint256 size;
        assembly ("memory-safe") {
            size := returndatasize()
        }
        if (size > maxReturn) size = maxReturn;
        data = new bytes(size);
        assembly ("memory-safe") {
            returndatacopy(add(data, 0x20), 0, size)
        }
    }
}
