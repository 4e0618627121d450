// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {
    Action, CheckerKind, RunContext, SkipReason, Status, Trigger, TriggerType, WorkflowSpec
} from "./Types.sol";
import {CodeStore} from "./CodeStore.sol";
import {ShortCall} from "./ShortCall.sol";
import {Cron} from "./Cron.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";

interface IForwarderSource {
    function forwarderImplementation() external view returns (address);
}

/// @title WorkflowRegistry
/// @notice Where workflows live: their spec, status and schedule. Every state change emits an event
/// carrying everything an indexer needs, so indexing never reads the chain.
contract WorkflowRegistry is IWorkflowRegistry, AccessControl, ReentrancyGuard {
    bytes32 public constant EXECUTOR_ROLE = keccak256("EXECUTOR_ROLE");

    uint256 public constant MAX_ACTIONS = 16;
    uint32 public constant MIN_GAS_LIMIT = 21_000;
    uint32 public constant MAX_GAS_LIMIT = 10_000_000;
    uint256 public constant MAX_TRIGGER_DATA = 1024;
    /// How far back `blockhash` reaches: a LOG run's block older than this cannot be checked as canonical.
    uint256 public constant BLOCKHASH_WINDOW = 256;
    /// Bytes of a LOG run's reference at the head of its performData: block number, block hash, log index.
    uint256 public constant LOG_REF_BYTES = 96;
    /// Bytes of a CONDITION run's check reference at the head of its performData: the run number the check
    /// was answered for (the workflow's run count then, plus one), then the number and hash of the block it
    /// was asked at.
    uint256 public constant CHECK_REF_BYTES = 96;
    /// Latest start or end time and longest interval (about the year 19,400): with both below it, any next
    /// time a schedule computes stays below 2^40, the width the registry keeps times in.
    uint64 public constant MAX_TIME = uint64(type(uint40).max / 2);

    /// @dev Laid out for the run path: a run reads slots 0 and 1 (slot 2 only for a Chainlink upkeep or
    /// actions that carry value, slot 4 only for a short call) and writes slot 0 alone. Before, a run read
    /// five slots and its actions' ABI words from storage (seven more for one plain call) and wrote two: 42k
    /// gas in beginRun. Times, counts and intervals take 40 bits here (see MAX_TIME); the spec and events keep
    /// 64. The forwarder is not stored: it is the deterministic clone of `id` (forwarderOf).
    struct Workflow {
        // slot 0: read and written by every run
        Status status;
        TriggerType triggerKind;
        CheckerKind checkerKind;
        uint8 flags; // CARRIES_VALUE: a run reads slot 2 for totalValue. SHORT_CALL: it reads `shortCall`.
        uint24 gasLimit; // never 0 for a registered workflow: it marks existence
        uint40 nextExecutionAt;
        uint40 runCount;
        uint40 interval;
        uint40 maxRuns;
        uint40 endTime;
        // slot 1: read by every run
        // Actions: the CodeStore of abi.encode(Action[]). Gelato: the target itself (its one action has no data
        // of its own: the check gives it, and the value is totalValue). Chainlink: zero.
        address actions;
        uint96 maxFeePerRun;
        // slot 2: read by a Chainlink upkeep's runs and by runs that carry value
        address checker;
        uint96 totalValue;
        // slot 3: never read by a run
        address owner;
        uint64 startTime;
        // slot 4: read by the runs of a SHORT_CALL workflow (one valueless call, 1-31 bytes of calldata,
        // `actions` its target): the calldata left-aligned, its length in the last byte. An update to another
        // form leaves the word behind unread (the flag goes), which costs the owner nothing to clear.
        bytes32 shortCall;
        // slot 5 on
        bytes triggerData;
    }

    uint8 private constant CARRIES_VALUE = 1;
    uint8 private constant SHORT_CALL = 2;

    IFeeEscrow public escrow;
    address public actionExecutor;
    address public forwarderImplementation;
    uint256 public workflowCount;

    mapping(uint256 id => Workflow) private _workflows;
    /// LOG: logs that had their run, by keccak256(id, block hash, log index). Never cleared: a log is
    /// served once, whoever sends it, however often it is retried.
    mapping(bytes32 logKey => bool) public logServed;
    /// CRON: the parsed expression (Cron.parse), so a run computes its next tick without parsing.
    mapping(uint256 id => uint256 spec) private _cronSpecs;

    event WorkflowRegistered(
        uint256 indexed id,
        address indexed owner,
        address forwarder,
        WorkflowSpec spec,
        uint64 nextExecutionAt,
        uint256 deposit
    );
    event WorkflowUpdated(uint256 indexed id, WorkflowSpec spec, uint64 nextExecutionAt);
    event WorkflowStatusChanged(uint256 indexed id, Status previous, Status status, uint64 nextExecutionAt);
    event WorkflowOwnershipTransferred(uint256 indexed id, address indexed previousOwner, address indexed newOwner);
    event SystemWired(address escrow, address actionExecutor, address forwarderImplementation);

    error AlreadyWired();
    error NotWired();
    error UnknownWorkflow(uint256 id);
    error NotWorkflowOwner(uint256 id, address caller);
    error InvalidStatus(uint256 id, Status status);
    error UnsupportedTrigger(TriggerType kind);
    error InvalidTrigger(string why);
    error InvalidActions(string why);
    error InvalidGasLimit(uint32 gasLimit);
    error InvalidMaxFee();
    error InvalidSchedule(string why);
    error ZeroAddress();

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Connects the escrow and the executor once; the executor's forwarder implementation is
    /// what every workflow's clone points at.
    function wire(IFeeEscrow escrow_, address actionExecutor_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(escrow) != address(0)) revert AlreadyWired();
        if (address(escrow_) == address(0) || actionExecutor_ == address(0)) revert ZeroAddress();
        escrow = escrow_;
        actionExecutor = actionExecutor_;
        forwarderImplementation = IForwarderSource(actionExecutor_).forwarderImplementation();
        _grantRole(EXECUTOR_ROLE, actionExecutor_);
        emit SystemWired(address(escrow_), actionExecutor_, forwarderImplementation);
    }

    // ---------------------------------------------------------------- owners

    /// @notice Registers a workflow; the value sent becomes its escrow balance.
    function register(WorkflowSpec calldata spec) external payable nonReentrant returns (uint256 id) {
        if (address(escrow) == address(0)) revert NotWired();
        id = ++workflowCount;
        Workflow storage w = _workflows[id];
        w.owner = msg.sender;
        w.status = Status.ACTIVE;
        address forwarder = Clones.cloneDeterministic(forwarderImplementation, bytes32(id));
        _store(id, w, spec);
        emit WorkflowRegistered(id, msg.sender, forwarder, spec, w.nextExecutionAt, msg.value);
        if (msg.value > 0) escrow.credit{value: msg.value}(id, msg.sender);
    }

    /// @notice Replaces the spec of an active or paused workflow; the run count and forwarder stay.
    function update(uint256 id, WorkflowSpec calldata spec) external {
        Workflow storage w = _owned(id);
        if (w.status != Status.ACTIVE && w.status != Status.PAUSED) revert InvalidStatus(id, w.status);
        _store(id, w, spec);
        emit WorkflowUpdated(id, spec, w.nextExecutionAt);
    }

    function pause(uint256 id) external {
        Workflow storage w = _owned(id);
        if (w.status != Status.ACTIVE) revert InvalidStatus(id, w.status);
        _setStatus(id, w, Status.PAUSED);
    }

    /// @notice Resumes a paused workflow; time slots missed while paused are skipped, not replayed.
    function resume(uint256 id) external {
        Workflow storage w = _owned(id);
        if (w.status != Status.PAUSED) revert InvalidStatus(id, w.status);
        if (w.triggerKind == TriggerType.TIME && w.interval > 0 && w.nextExecutionAt < block.timestamp) {
            uint64 missed = (uint64(block.timestamp) - w.nextExecutionAt + w.interval - 1) / w.interval;
            w.nextExecutionAt = uint40(w.nextExecutionAt + missed * w.interval);
        } else if (w.triggerKind == TriggerType.CRON && w.nextExecutionAt < block.timestamp) {
            // The first tick from now on; 0 (none left) leaves the missed one, which then runs once.
            uint256 tick = Cron.next(_cronSpecs[id], block.timestamp - 1);
            if (tick != 0) w.nextExecutionAt = uint40(tick);
        }
        _setStatus(id, w, Status.ACTIVE);
    }

    /// @notice Ends a workflow for good and refunds its balance to the owner.
    function cancel(uint256 id) external nonReentrant {
        Workflow storage w = _owned(id);
        if (w.status != Status.ACTIVE && w.status != Status.PAUSED) revert InvalidStatus(id, w.status);
        _setStatus(id, w, Status.CANCELLED);
        escrow.refund(id, w.owner);
    }

    function transferWorkflowOwnership(uint256 id, address newOwner) external {
        Workflow storage w = _owned(id);
        if (newOwner == address(0)) revert ZeroAddress();
        emit WorkflowOwnershipTransferred(id, w.owner, newOwner);
        w.owner = newOwner;
    }

    // ---------------------------------------------------------------- executor

    /// @notice Decides whether `id` may run now and, if so, records the run and advances its schedule.
    /// Returns a skip reason instead of reverting so one stale item never sinks a batch.
    /// @param balance the workflow's escrow balance, read by the executor.
    /// @param performData the item's performData; for a LOG workflow it starts with the log's reference
    /// (block number, block hash, log index: LOG_REF_BYTES), which ties the run to that one log; for a
    /// CONDITION workflow with the check's reference (CHECK_REF_BYTES), which ties it to that one check.
    function beginRun(uint256 id, uint256 balance, bytes calldata performData)
        external
        onlyRole(EXECUTOR_ROLE)
        returns (SkipReason reason, RunContext memory run)
    {
        Workflow storage w = _workflows[id];
        if (w.gasLimit == 0) return (SkipReason.UNKNOWN_WORKFLOW, run);
        TriggerType kind = w.triggerKind;
        // Known even on a skip, so the executor can say which log a LOG item's skip was about.
        run.triggerKind = kind;
        if (w.status != Status.ACTIVE) return (SkipReason.NOT_ACTIVE, run);
        bytes32 logKey;
        if (kind == TriggerType.LOG) {
            (reason, logKey) = _logKey(id, performData);
            if (reason != SkipReason.NONE) return (reason, run);
        } else if (kind == TriggerType.CONDITION && !_checkHolds(w, performData)) {
            return (SkipReason.STALE_CHECK, run);
        }
        uint64 now_ = uint64(block.timestamp);
        uint64 due = w.nextExecutionAt;
        if (now_ < due) return (SkipReason.NOT_DUE, run);
        uint64 endTime = w.endTime;
        // A slot due by the end time is a due run even if it lands after it (a restart, an outage): only a
        // slot past the end expires. Judged by block time, a late last slot was lost and the workflow left
        // ACTIVE for good, since the executor only ever simulated the expiry. A LOG workflow has no slots:
        // its logs are served until the end time passes.
        if (endTime != 0 && (kind == TriggerType.LOG ? now_ : due) > endTime) {
            _setStatus(id, w, Status.COMPLETED);
            return (SkipReason.EXPIRED, run);
        }
        uint8 flags = w.flags;
        uint96 totalValue = flags & CARRIES_VALUE != 0 ? w.totalValue : 0;
        if (balance < uint256(w.maxFeePerRun) + totalValue) return (SkipReason.NOT_FUNDED, run);

        uint64 runNumber = w.runCount + 1;
        uint64 next = _nextAfter(id, w, due, now_);
        bool last = next == 0 || (w.maxRuns != 0 && runNumber >= w.maxRuns) || (endTime != 0 && next > endTime);
        if (next == 0) next = due;
        w.runCount = uint40(runNumber);
        w.nextExecutionAt = uint40(next);
        if (kind == TriggerType.LOG) logServed[logKey] = true;
        if (last) _setStatus(id, w, Status.COMPLETED);

        CheckerKind checkerKind = w.checkerKind;
        run.runNumber = runNumber;
        run.dueAt = due;
        run.nextExecutionAt = next;
        run.checkerKind = checkerKind;
        run.gasLimit = w.gasLimit;
        run.maxFeePerRun = w.maxFeePerRun;
        run.totalValue = totalValue;
        // Runs that call the stored actions get where they are (and a short call its calldata); a Chainlink
        // upkeep's run is built from performData and needs only the upkeep.
        if (checkerKind == CheckerKind.CHAINLINK) run.callee = w.checker;
        else run.callee = w.actions;
        if (flags & SHORT_CALL != 0) run.shortCall = w.shortCall;
    }

    // ---------------------------------------------------------------- views

    function ownerAndStatus(uint256 id) external view returns (address owner, Status status) {
        Workflow storage w = _workflows[id];
        return (w.owner, w.status);
    }

    /// @notice The whole stored workflow, for tools and tests (the indexer uses events instead).
    function getWorkflow(uint256 id)
        external
        view
        returns (
            address owner,
            Status status,
            address forwarder,
            uint64 nextExecutionAt,
            uint64 runCount,
            WorkflowSpec memory spec
        )
    {
        Workflow storage w = _workflows[id];
        if (w.owner == address(0)) revert UnknownWorkflow(id);
        spec.trigger = Trigger(w.triggerKind, w.interval, w.checkerKind, w.checker, w.triggerData);
        if (w.checkerKind == CheckerKind.GELATO) {
            spec.actions = new Action[](1);
            spec.actions[0] = Action(w.actions, w.totalValue, "");
        } else if (w.flags & SHORT_CALL != 0) {
            spec.actions = new Action[](1);
            spec.actions[0] = Action(w.actions, 0, ShortCall.data(w.shortCall));
        } else if (w.actions != address(0)) {
            spec.actions = abi.decode(CodeStore.read(w.actions), (Action[]));
        }
        spec.gasLimit = w.gasLimit;
        spec.maxFeePerRun = w.maxFeePerRun;
        spec.startTime = w.startTime;
        spec.maxRuns = w.maxRuns;
        spec.endTime = w.endTime;
        return (w.owner, w.status, forwarderOf(id), w.nextExecutionAt, w.runCount, spec);
    }

    function forwarderOf(uint256 id) public view returns (address) {
        return Clones.predictDeterministicAddress(forwarderImplementation, bytes32(id));
    }

    // ---------------------------------------------------------------- internals

    function _owned(uint256 id) private view returns (Workflow storage w) {
        w = _workflows[id];
        if (w.owner == address(0)) revert UnknownWorkflow(id);
        if (w.owner != msg.sender) revert NotWorkflowOwner(id, msg.sender);
    }

    function _store(uint256 id, Workflow storage w, WorkflowSpec calldata spec) private {
        uint96 totalValue = _validate(spec);
        Trigger calldata t = spec.trigger;
        uint64 start = spec.startTime < block.timestamp ? uint64(block.timestamp) : spec.startTime;
        if (t.kind == TriggerType.CRON) {
            // Parsed once here (a malformed expression reverts InvalidCronExpression); the first tick is the
            // first at or after the start.
            uint256 cron = Cron.parse(t.data);
            uint256 first = Cron.next(cron, start - 1);
            if (first == 0) revert Cron.InvalidCronExpression(0, "never fires");
            if (spec.endTime != 0 && first > spec.endTime) revert InvalidSchedule("no tick before the end");
            _cronSpecs[id] = cron;
            start = uint64(first);
        }
        w.triggerKind = t.kind;
        w.checkerKind = t.checkerKind;
        // Every value below fits its narrower slot: _validate bounds them (MAX_TIME, MAX_GAS_LIMIT).
        w.nextExecutionAt = uint40(start);
        w.interval = uint40(t.interval);
        w.startTime = start;
        w.maxRuns = uint40(spec.maxRuns);
        w.endTime = uint40(spec.endTime);
        w.gasLimit = uint24(spec.gasLimit);
        w.maxFeePerRun = spec.maxFeePerRun;
        uint8 flags = totalValue > 0 ? CARRIES_VALUE : 0;
        w.totalValue = totalValue;
        w.checker = t.checker;
        w.triggerData = t.data;
        // A Chainlink upkeep has no actions and a Gelato task keeps its target. One valueless call with short
        // calldata (a `harvest()`, an `increment()`) keeps its target and calldata in storage: a run reads
        // one more slot (2,100 gas) where a store costs a cold account (2,600) and the forwarder walks an
        // Action[]. The others get a store (an update writes a new one).
        if (t.checkerKind == CheckerKind.GELATO) {
            w.actions = spec.actions[0].target;
        } else if (_isShortCall(spec.actions)) {
            w.actions = spec.actions[0].target;
            w.shortCall = ShortCall.pack(spec.actions[0].data);
            flags |= SHORT_CALL;
        } else {
            w.actions = spec.actions.length == 0 ? address(0) : CodeStore.write(abi.encode(spec.actions));
        }
        w.flags = flags;
    }

    function _isShortCall(Action[] calldata actions) private pure returns (bool) {
        return actions.length == 1 && actions[0].value == 0 && ShortCall.fits(actions[0].data.length);
    }

    function _validate(WorkflowSpec calldata spec) private view returns (uint96 totalValue) {
        Trigger calldata t = spec.trigger;
        uint256 n = spec.actions.length;
        if (t.kind == TriggerType.TIME) {
            if (t.checkerKind != CheckerKind.NONE || t.checker != address(0)) {
                revert InvalidTrigger("TIME takes no checker");
            }
            if (n == 0) revert InvalidActions("TIME needs at least one action");
        } else if (t.kind == TriggerType.CONDITION) {
            if (t.checker == address(0)) revert InvalidTrigger("CONDITION needs a checker");
            if (t.checkerKind == CheckerKind.CHAINLINK) {
                if (n != 0) revert InvalidActions("CHAINLINK runs performUpkeep on the checker");
            } else if (t.checkerKind == CheckerKind.GELATO) {
                if (n != 1 || spec.actions[0].data.length != 0) {
                    revert InvalidActions("GELATO needs one action with empty data");
                }
            } else {
                revert InvalidTrigger("CONDITION needs a checker kind");
            }
        } else if (t.kind == TriggerType.LOG) {
            _validateLogTrigger(t, n);
        } else if (t.kind == TriggerType.CRON) {
            if (t.interval != 0) revert InvalidTrigger("CRON takes no interval");
            if (t.checkerKind != CheckerKind.NONE || t.checker != address(0)) {
                revert InvalidTrigger("CRON takes no checker");
            }
            if (n == 0) revert InvalidActions("CRON needs at least one action");
        } else {
            revert UnsupportedTrigger(t.kind);
        }
        if (t.data.length > MAX_TRIGGER_DATA) revert InvalidTrigger("trigger data too long");
        if (n > MAX_ACTIONS) revert InvalidActions("too many actions");
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            if (spec.actions[i].target == address(0)) revert InvalidActions("action target is zero");
            sum += spec.actions[i].value;
        }
        if (sum > type(uint96).max) revert InvalidActions("action value too large");
        if (spec.gasLimit < MIN_GAS_LIMIT || spec.gasLimit > MAX_GAS_LIMIT) revert InvalidGasLimit(spec.gasLimit);
        if (spec.maxFeePerRun == 0) revert InvalidMaxFee();
        if (t.interval > MAX_TIME || spec.startTime > MAX_TIME || spec.endTime > MAX_TIME) {
            revert InvalidSchedule("time or interval beyond MAX_TIME");
        }
        if (spec.maxRuns > type(uint40).max) revert InvalidSchedule("maxRuns beyond 2^40 - 1");
        uint256 start = spec.startTime < block.timestamp ? block.timestamp : spec.startTime;
        if (spec.endTime != 0 && spec.endTime < start) revert InvalidSchedule("end before start");
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(sum);
    }

    /// @dev The schedule after a run served slot `due` at `now_`; 0 when there is none (the run was the last).
    function _nextAfter(uint256 id, Workflow storage w, uint64 due, uint64 now_) private view returns (uint64) {
        TriggerType kind = w.triggerKind;
        uint64 interval = w.interval;
        // Missed slots are skipped: the next slot is the first one after now.
        if (kind == TriggerType.TIME) return interval == 0 ? 0 : due + interval * ((now_ - due) / interval + 1);
        // A LOG workflow is due from its start on; each log is its own run.
        if (kind == TriggerType.LOG) return due;
        // Missed ticks are skipped as missed TIME slots are: the next tick is the first one after now.
        if (kind == TriggerType.CRON) return uint64(Cron.next(_cronSpecs[id], now_));
        return now_ + interval;
    }

    /// @dev Whether a CONDITION item's check still speaks for the workflow: it was answered for the run that
    /// comes next. A check says "run now" about the state it saw; once the workflow has run since, the answer
    /// is spent, and performing it again would be a second run of one condition (an upkeep that trusts its
    /// keeper performs the same ticket twice). The chain refuses it, whoever sends it: a copy of a job made
    /// after its queue lost the first, a second executor, a transaction stuck past its timeout. Chainlink's
    /// registry refuses a stale report the same way (a check older than the last perform).
    ///
    /// The answer also speaks only for the chain it was asked on: its block must still be this chain's. The run
    /// number alone is not enough after a reorg, which hands the same run numbers to a new history. Found by
    /// the reorg suite: a check asked at a ticket's due time on the old chain was re-sent onto the new one,
    /// whose time had gone back (its blocks re-mined 4 s earlier), so the upkeep performed the ticket before
    /// it was due, set it due again, and performed it a second time when its time came. Chainlink's registry
    /// refuses a report whose check block hash is not canonical the same way. A check older than
    /// BLOCKHASH_WINDOW cannot be verified and is refused too: an answer that old is stale anyway.
    function _checkHolds(Workflow storage w, bytes calldata performData) private view returns (bool) {
        if (performData.length < CHECK_REF_BYTES) return false;
        if (uint256(bytes32(performData[0:32])) != uint256(w.runCount) + 1) return false;
        uint256 blockNumber = uint256(bytes32(performData[32:64]));
        return blockNumber < block.number && blockhash(blockNumber) == bytes32(performData[64:96]);
    }

    /// @dev The key of the log a LOG item names, or why it may not run: a reference that is malformed, names
    /// a block not mined yet or (within BLOCKHASH_WINDOW) a block this chain does not have, or a log served.
    /// A block older than the window cannot be checked; a worker that comes back after a long outage still
    /// serves it (only WORKER_ROLE keys send runs, and the index it read had the log on its chain).
    function _logKey(uint256 id, bytes calldata performData) private view returns (SkipReason, bytes32 key) {
        if (performData.length < LOG_REF_BYTES) return (SkipReason.LOG_NOT_CANONICAL, key);
        uint256 blockNumber = uint256(bytes32(performData[0:32]));
        bytes32 blockHash = bytes32(performData[32:64]);
        if (blockNumber >= block.number) return (SkipReason.LOG_NOT_CANONICAL, key);
        if (block.number - blockNumber <= BLOCKHASH_WINDOW && blockhash(blockNumber) != blockHash) {
            return (SkipReason.LOG_NOT_CANONICAL, key);
        }
        key = keccak256(abi.encode(id, blockHash, uint256(bytes32(performData[64:96]))));
        if (logServed[key]) return (SkipReason.LOG_ALREADY_SERVED, key);
        return (SkipReason.NONE, key);
    }

    /// @dev A LOG trigger names an emitter and an event (topic0), filters topics 1-3 by Chainlink's
    /// filterSelector bits, and either runs actions or is a Chainlink log upkeep (checker, no actions).
    function _validateLogTrigger(Trigger calldata t, uint256 actions) private pure {
        if (t.interval != 0) revert InvalidTrigger("LOG takes no interval");
        // Seven head words and the checkData length: anything shorter cannot decode.
        if (t.data.length < 256) revert InvalidTrigger("LOG needs its filter");
        (address emitter, uint8 selector, bytes32 topic0,,,,) =
            abi.decode(t.data, (address, uint8, bytes32, bytes32, bytes32, bytes32, bytes));
        if (emitter == address(0)) revert InvalidTrigger("LOG needs an emitter");
        if (topic0 == bytes32(0)) revert InvalidTrigger("LOG needs an event (topic0)");
        if (selector > 7) revert InvalidTrigger("LOG filterSelector has bits for topic1-3 only");
        if (t.checkerKind == CheckerKind.NONE) {
            if (t.checker != address(0)) revert InvalidTrigger("LOG with actions takes no checker");
            if (actions == 0) revert InvalidActions("LOG needs at least one action");
        } else if (t.checkerKind == CheckerKind.CHAINLINK) {
            if (t.checker == address(0)) revert InvalidTrigger("LOG upkeep needs a checker");
            if (actions != 0) revert InvalidActions("CHAINLINK runs performUpkeep on the checker");
        } else {
            revert InvalidTrigger("LOG takes actions or a Chainlink log upkeep");
        }
    }

    function _setStatus(uint256 id, Workflow storage w, Status status) private {
        Status previous = w.status;
        w.status = status;
        emit WorkflowStatusChanged(id, previous, status, w.nextExecutionAt);
    }
}
