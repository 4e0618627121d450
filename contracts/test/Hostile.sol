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
