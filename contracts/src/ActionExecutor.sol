// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CheckerKind, RunContext, SkipReason, TriggerType} from "./Types.sol";
import {BoundedCall} from "./BoundedCall.sol";
import {CodeStore} from "./CodeStore.sol";
import {ShortCall} from "./ShortCall.sol";
import {Forwarder} from "./Forwarder.sol";
import {IAutomationCompatible} from "./interfaces/IAutomationCompatible.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {IForwarder} from "./interfaces/IForwarder.sol";
import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";

/// @title ActionExecutor
/// @notice The one entry point workers call. Each item is either run (through the workflow's own
/// forwarder, with its own gas limit, then charged) or skipped with an event; neither reverts the batch.
contract ActionExecutor is AccessControl, ReentrancyGuardTransient {
    bytes32 public constant WORKER_ROLE = keccak256("WORKER_ROLE");

    /// Revert data kept from a failed run in its event.
    uint256 public constant MAX_REASON_BYTES = 256;
    /// Gas a run costs after it is measured: the charge itself, its events and the loop around it.
    /// Counted into the fee so workers are not paid below cost.
    uint256 public constant RUN_OVERHEAD_GAS = 9_000;
    /// What the worker pays for a transaction before any run in it: the intrinsic 21,000, the selector
    /// and array headers of its calldata, and the first touch of the contracts and the worker's earnings
    /// slot. Shared evenly by the runs of the transaction.
    uint256 public constant TX_BASE_GAS = 54_000;
    /// Calldata gas per byte (EIP-2028 non-zero bytes: the worst case, so the fee always covers it).
    uint256 public constant CALLDATA_GAS_PER_BYTE = 16;
    /// Calldata bytes an item takes besides its performData: its id, the data's offset and length words.
    uint256 public constant ITEM_CALLDATA_BYTES = 96;
    /// Bytes of a LOG item's log reference at the head of its performData (see WorkflowRegistry).
    uint256 public constant LOG_REF_BYTES = 96;
    /// Bytes of a CONDITION item's check reference at the head of its performData (see WorkflowRegistry).
    uint256 public constant CHECK_REF_BYTES = 96;
    /// Gas kept back after a run for the bookkeeping that follows it.
    uint256 public constant POST_RUN_GAS = 60_000;

    IWorkflowRegistry public immutable registry;
    IFeeEscrow public immutable escrow;
    address public immutable forwarderImplementation;

    /// A run, and its charge: `fee` moved from the workflow's escrow balance to `worker`'s earnings (the
    /// escrow emits nothing of its own for it).
    event WorkflowExecuted(
        uint256 indexed id,
        uint64 runNumber,
        address indexed worker,
        bool success,
        uint256 gasUsed,
        uint256 fee,
        uint64 dueAt,
        uint64 nextExecutionAt
    );
    /// Why a run failed (the target's revert data, at most MAX_REASON_BYTES), emitted just before that run's
    /// WorkflowExecuted. Its own event because a bytes field costs every run two words of log data (512 gas)
    /// though almost every run succeeds and leaves it empty.
    event WorkflowFailed(uint256 indexed id, uint64 runNumber, bytes reason);
    event WorkflowSkipped(uint256 indexed id, address indexed worker, SkipReason reason);
    /// The log a LOG item was about, emitted just before that item's WorkflowExecuted (runNumber > 0) or
    /// WorkflowSkipped (runNumber 0): the index links each run to the log that caused it.
    event LogRun(uint256 indexed id, uint64 runNumber, uint256 blockNumber, bytes32 blockHash, uint256 logIndex);

    /// What one item of a batch did (or, in a simulation, would do).
    struct ItemResult {
        SkipReason skipReason; // NONE when the item ran
        bool success;
        uint256 gasUsed;
        uint256 fee;
        bytes reason;
        /// The slot the run served (0 when skipped). A worker compares it with the slot its job was
        /// made for: a condition checked against an older schedule must not run again.
        uint64 dueAt;
    }

    /// Revert payload of `simulateBatch`: each item's result and the gas the batch needs, including
    /// what every item's gas limit demands at its start (so the figure also satisfies InsufficientGas).
    error SimulationResult(ItemResult[] results, uint256 gasRequired);

    error LengthMismatch();
    /// The transaction did not carry enough gas to give item `id` its full gas limit. This reverts the
    /// whole transaction on purpose: it is the sender's fault, and it keeps eth_estimateGas honest.
    error InsufficientGas(uint256 id, uint256 available, uint256 required);

    constructor(address admin, IWorkflowRegistry registry_, IFeeEscrow escrow_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        registry = registry_;
        escrow = escrow_;
        forwarderImplementation = address(new Forwarder(address(this)));
    }

    /// @notice Escrow releases the value a run's actions carry here before forwarding it.
    receive() external payable {
        if (msg.sender != address(escrow)) revert();
    }

    function execute(uint256 id, bytes calldata performData) external onlyRole(WORKER_ROLE) nonReentrant {
        _run(id, performData, 0, tx.gasprice, TX_BASE_GAS);
    }

    function executeBatch(uint256[] calldata ids, bytes[] calldata performData)
        external
        onlyRole(WORKER_ROLE)
        nonReentrant
    {
        if (ids.length != performData.length) revert LengthMismatch();
        uint256 baseShare = _baseShare(ids.length);
        // Nothing an item puts in memory outlives it here, so each item starts from the same free memory.
        // Memory costs grow with the square of its size: without this, the 100th item of a batch paid for
        // the memory of the 99 before it.
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        for (uint256 i; i < ids.length; ++i) {
            _run(ids[i], performData[i], 0, tx.gasprice, baseShare);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    /// @notice For eth_call only: runs the batch exactly as `executeBatch` would, then reverts with
    /// `SimulationResult`, so a worker learns each item's outcome and the gas to send before it sends.
    /// Fees are computed at `gasPrice` (an eth_call pays none): the price the transaction will pay, so
    /// the worker can compare each run's fee with what the run will cost it before sending.
    function simulateBatch(uint256[] calldata ids, bytes[] calldata performData, uint256 gasPrice)
        external
        onlyRole(WORKER_ROLE)
        nonReentrant
    {
        if (ids.length != performData.length) revert LengthMismatch();
        uint256 txGasStart = gasleft();
        uint256 gasRequired;
        uint256 baseShare = _baseShare(ids.length);
        ItemResult[] memory results = new ItemResult[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            uint256 need;
            (results[i], need) = _run(ids[i], performData[i], txGasStart, gasPrice, baseShare);
            if (need > gasRequired) gasRequired = need;
        }
        uint256 used = txGasStart - gasleft();
        _report(results, used > gasRequired ? used : gasRequired);
    }

    /// @dev A separate function so the guard's exit path does not read as unreachable code.
    function _report(ItemResult[] memory results, uint256 gasRequired) private pure {
        revert SimulationResult(results, gasRequired);
    }

    /// @dev Each run's share of the transaction's fixed cost (rounded up: the worker is never short).
    function _baseShare(uint256 runs) private pure returns (uint256) {
        return runs == 0 ? 0 : (TX_BASE_GAS + runs - 1) / runs;
    }

    /// @param txGasStart gasleft() when the batch began (simulations only; 0 otherwise).
    /// @param gasPrice the price the fee is computed at (tx.gasprice, or a simulation's stated price)
    /// @param baseShare this run's share of the transaction's fixed cost
    /// @return result what the item did
    /// @return need gas the batch must have had at its start for this item to get its full limit
    function _run(uint256 id, bytes calldata performData, uint256 txGasStart, uint256 gasPrice, uint256 baseShare)
        private
        returns (ItemResult memory result, uint256 need)
    {
        uint256 gasStart = gasleft();
        (SkipReason skipReason, RunContext memory run) = registry.beginRun(id, escrow.balanceOf(id), performData);
        bool logRun = run.triggerKind == TriggerType.LOG && performData.length >= LOG_REF_BYTES;
        if (logRun) _emitLogRun(id, run.runNumber, performData);
        if (skipReason != SkipReason.NONE) {
            emit WorkflowSkipped(id, msg.sender, skipReason);
            result.skipReason = skipReason;
            return (result, 0);
        }
        // The 63/64 rule would hand the run less than its limit; refuse rather than fail it unfairly.
        uint256 required = uint256(run.gasLimit) * 64 / 63 + POST_RUN_GAS;
        if (txGasStart != 0) need = txGasStart - gasleft() + required;
        if (gasleft() < required) revert InsufficientGas(id, gasleft(), required);

        uint256 value = run.totalValue;
        if (value > 0) escrow.release(id, value);
        // The registry clones the forwarder of `id` deterministically: computing its address costs less
        // than the storage word it would take to read it.
        (bool success, bytes memory returned) = BoundedCall.call(
            Clones.predictDeterministicAddress(forwarderImplementation, bytes32(id), address(registry)),
            run.gasLimit,
            value,
            _forwardCall(run, performData),
            MAX_REASON_BYTES
        );
        // A failed run's value goes back to the workflow it came from.
        if (!success && value > 0) escrow.credit{value: value}(id, address(this));

        // Everything the worker pays for this run: the gas measured around it, what follows it, its
        // calldata (a megabyte of performData costs the worker 16M gas, so its owner pays for it) and its
        // share of the transaction. The fee is this at the transaction's price, capped at maxFeePerRun:
        // a worker compares the two before sending and never sends a run capped below its cost.
        uint256 gasUsed = gasStart - gasleft() + RUN_OVERHEAD_GAS + baseShare
            + (ITEM_CALLDATA_BYTES + (performData.length + 31) / 32 * 32) * CALLDATA_GAS_PER_BYTE;
        uint256 fee = escrow.charge(id, msg.sender, gasUsed, gasPrice, run.maxFeePerRun);
        bytes memory reason = success ? bytes("") : returned;
        if (!success) emit WorkflowFailed(id, run.runNumber, reason);
        emit WorkflowExecuted(id, run.runNumber, msg.sender, success, gasUsed, fee, run.dueAt, run.nextExecutionAt);
        result = ItemResult(SkipReason.NONE, success, gasUsed, fee, reason, run.dueAt);
    }

    function _emitLogRun(uint256 id, uint64 runNumber, bytes calldata performData) private {
        emit LogRun(
            id,
            runNumber,
            uint256(bytes32(performData[0:32])),
            bytes32(performData[32:64]),
            uint256(bytes32(performData[64:96]))
        );
    }

    /// @dev The forwarder's call. TIME, CRON and LOG-with-actions runs pass the stored actions as they are
    /// (their CodeStore holds abi.encode(Action[]), which is forward's argument encoding). The others are one
    /// call (forwardCall) built from the off-chain check's result, after the reference at its head (the
    /// log's or the check's): Chainlink calls performUpkeep on the checker, Gelato sends the payload to its
    /// target with its value.
    function _forwardCall(RunContext memory run, bytes calldata performData) private view returns (bytes memory) {
        if (run.checkerKind == CheckerKind.NONE) {
            // One short call needs no Action[]: the forwarder calls its target directly.
            if (run.shortCall != 0) {
                return abi.encodeCall(IForwarder.forwardCall, (run.callee, ShortCall.data(run.shortCall)));
            }
            return bytes.concat(IForwarder.forward.selector, CodeStore.read(run.callee));
        }
        bytes calldata data = performData[run.triggerKind == TriggerType.LOG ? LOG_REF_BYTES : CHECK_REF_BYTES:];
        if (run.checkerKind == CheckerKind.CHAINLINK) {
            // A Chainlink workflow carries no value (the registry refuses one), so the call sends none.
            return abi.encodeCall(
                IForwarder.forwardCall, (run.callee, abi.encodeCall(IAutomationCompatible.performUpkeep, (data)))
            );
        }
        // Gelato: the payload to its target, with the workflow's value (sent with this call).
        return abi.encodeCall(IForwarder.forwardCall, (run.callee, data));
    }
}
