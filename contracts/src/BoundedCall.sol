// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Calls that copy at most `maxReturn` bytes of return data, so a target that answers with
/// megabytes of revert data cannot make the caller run out of gas copying it.
library BoundedCall {
    function call(address target, uint256 gasLimit, uint256 value, bytes memory data, uint256 maxReturn)
        internal
        returns (bool success, bytes memory returnData)
    {
        returnData = new bytes(maxReturn);
        assembly ("memory-safe") {
            success := call(gasLimit, target, value, add(data, 0x20), mload(data), 0, 0)
            let size := returndatasize()
            if gt(size, maxReturn) { size := maxReturn }
            mstore(returnData, size)
            returndatacopy(add(returnData, 0x20), 0, size)
        }
    }
}
