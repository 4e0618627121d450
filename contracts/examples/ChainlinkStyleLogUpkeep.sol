// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ILogAutomation, Log} from "../src/interfaces/ILogAutomation.sol";

/// @notice A Chainlink log-trigger upkeep written to Chainlink's interface: `checkLog` is simulation-only
/// (Chainlink's `cannotExecute` guard) and decides per log; `performUpkeep` counts every log it served, so
/// a test can see a log served twice. It declines logs whose `n` (topic2) is a multiple of `checkData`
/// (a uint256, when given) and reverts its check on `n == 13`.
contract ChainlinkStyleLogUpkeep is ILogAutomation {
    uint256 public performed;
    uint256 public lastN;
    address public lastCaller;
    /// How often each log (block hash, log index) was performed: more than 1 is a double run.
    mapping(bytes32 logKey => uint256 times) public servedTimes;

    error OnlySimulatedBackend();
    error Unlucky(uint256 n);

    event Performed(uint256 performed, uint256 n, bytes32 blockHash, uint256 logIndex);

    modifier cannotExecute() {
        if (tx.origin != address(0) && tx.origin != address(0x1111111111111111111111111111111111111111)) {
            revert OnlySimulatedBackend();
        }
        _;
    }

    function checkLog(Log calldata log, bytes memory checkData)
        external
        view
        cannotExecute
        returns (bool upkeepNeeded, bytes memory performData)
    {
        uint256 n = uint256(log.topics[2]);
        if (n == 13) revert Unlucky(n);
        if (checkData.length == 32 && n % abi.decode(checkData, (uint256)) == 0) return (false, "");
        return (true, abi.encode(n, log.blockHash, log.index));
    }

    function performUpkeep(bytes calldata performData) external {
        (uint256 n, bytes32 blockHash, uint256 logIndex) = abi.decode(performData, (uint256, bytes32, uint256));
        servedTimes[keccak256(abi.encode(blockHash, logIndex))] += 1;
        performed += 1;
        lastN = n;
        lastCaller = msg.sender;
        emit Performed(performed, n, blockHash, logIndex);
    }
}
