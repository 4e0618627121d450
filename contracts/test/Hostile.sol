// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Targets that misbehave, for tests that show a workflow cannot harm the batch or the escrow.
contract Reverter {
    error Custom(uint256 code);

    function failWithReason() external pure {
        revert("target says no");
    }

    function failWithCustom() external pure {
        revert Custom(42);
    }

    /// Reverts with `size` bytes of data; copying it all would cost the caller dearly.
    function failHuge(uint256 size) external pure {
        assembly {
            revert(0, size)
        }
    }
}

contract GasBurner {
    uint256 public sink;

    function burn() external {
        while (true) {
            sink += 1;
        }
    }
}

/// @notice Calls whatever it is told to, with whatever data, and records the outcome.
contract Relay {
    bool public lastOk;
    bytes public lastResult;

    function relay(address target, bytes calldata data) external payable {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        lastOk = ok;
        lastResult = result;
        if (!ok) {
            assembly {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    receive() external payable {}
}

/// @notice Receives value and remembers how much arrived.
contract Sink {
    uint256 public received;

    function take() external payable {
        received += msg.value;
    }
}

/// @notice Fails while switched off, then works: a target that is broken for a while and then fixed.
contract Switchable {
    bool public broken = true;
    uint256 public calls;

    function setBroken(bool broken_) external {
        broken = broken_;
    }

    function work() external {
        if (broken) revert("switched off");
        calls += 1;
    }
}

/// @dev Hashes in scratch space until gasleft() falls to `until` (no memory growth: the gas goes on work).
function _spin(uint256 seed, uint256 until) view returns (uint256 x) {
    x = seed;
    assembly {
        for {} gt(gas(), until) {} {
            mstore(0, x)
            x := keccak256(0, 32)
        }
    }
}

/// @notice An action that burns a share of the gas it is given and succeeds: a workflow that costs its
/// worker as much as its gas limit allows while paying (it hopes) next to nothing.
contract ShareBurner {
    uint256 public sink;

    function burnShare(uint256 bps) external {
        uint256 stop = gasleft() * (10_000 - bps) / 10_000;
        sink = _spin(sink, stop);
    }
}

/// @notice A Chainlink-style upkeep whose check always wants a run and returns `size` bytes of
/// performData (a megabyte fills the worker's queue and calldata).
contract HugePerformDataUpkeep {
    uint256 public performs;
    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    function checkUpkeep(bytes calldata) external view returns (bool, bytes memory) {
        return (true, new bytes(size));
    }

    function performUpkeep(bytes calldata) external {
        performs += 1;
    }
}

/// @notice A Chainlink-style upkeep whose check says yes only after burning `burn` gas: without a cap on
/// check gas, every block's check costs the node that much work.
contract GasBurningChecker {
    uint256 public performs;
    uint256 public immutable burn;

    constructor(uint256 burn_) {
        burn = burn_;
    }

    function checkUpkeep(bytes calldata) external view returns (bool, bytes memory) {
        uint256 start = gasleft();
        uint256 stop = start > burn ? start - burn : 0;
        return (_spin(0, stop) != 1, "");
    }

    function performUpkeep(bytes calldata) external {
        performs += 1;
    }
}

/// @notice A Chainlink-style upkeep whose check reverts with `size` bytes of revert data.
contract RevertingChecker {
    uint256 public performs;
    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    function checkUpkeep(bytes calldata) external view returns (bool, bytes memory) {
        uint256 n = size;
        assembly {
            revert(0, n)
        }
    }

    function performUpkeep(bytes calldata) external {
        performs += 1;
    }
}
