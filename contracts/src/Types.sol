// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What starts a run.
enum TriggerType {
    TIME, // every `interval` seconds from the start
    CONDITION, // when an off-chain check says so
    LOG, // once for every log that matches a filter (Trigger.data: see LogTrigger in lib/log-trigger.ts)
    CRON // on a 5-field UTC cron schedule (Trigger.data: the expression)
}

/// @notice How a CONDITION workflow's checker is asked (off-chain) and what a run calls.
enum CheckerKind {
    NONE,
    CHAINLINK, // checkUpkeep(bytes) -> (bool, bytes); a run calls checker.performUpkeep(performData)
    GELATO // checker() -> (bool canExec, bytes execPayload); a run calls actions[0].target with execPayload
}

enum Status {
    ACTIVE,
    PAUSED,
    CANCELLED,
    COMPLETED
}

/// @notice Why ActionExecutor skipped an item instead of running it. Skips never revert a batch.
enum SkipReason {
    NONE,
    UNKNOWN_WORKFLOW,
    NOT_ACTIVE,
    NOT_DUE,
    NOT_FUNDED,
    EXPIRED,
    LOG_ALREADY_SERVED, // LOG: this log already had its run
    LOG_NOT_CANONICAL, // LOG: its block is not on this chain (reorged out, not mined yet) or the reference is malformed
    STALE_CHECK // CONDITION: the check was answered before the workflow's last run, or at a block this chain does not have (or the item names no check)
}

struct Action {
    address target;
    uint256 value;
    bytes data;
}

struct Trigger {
    TriggerType kind;
    /// TIME: seconds between runs (0 = one-shot). CONDITION: minimum seconds between runs. LOG, CRON: 0.
    uint64 interval;
    CheckerKind checkerKind;
    address checker;
    /// CONDITION/CHAINLINK: the checkUpkeep argument. LOG: abi.encode(emitter, filterSelector, topic0..3,
    /// checkData), Chainlink's LogTriggerConfig plus the upkeep's checkData. CRON: the expression's bytes.
    bytes data;
}

struct WorkflowSpec {
    Trigger trigger;
    Action[] actions;
    /// Gas the actions of one run may use; the worker must supply at least this much.
    uint32 gasLimit;
    /// Most the escrow charges for one run, whatever gas costs.
    uint96 maxFeePerRun;
    /// First due time; 0 or a past time means "now".
    uint64 startTime;
    /// 0 = unlimited.
    uint64 maxRuns;
    /// 0 = no end; no run is served after it.
    uint64 endTime;
}

/// @notice What ActionExecutor needs to perform one run, handed over by the registry. Fixed size, so
/// handing it over copies no storage beyond the words a run reads anyway.
struct RunContext {
    uint64 runNumber;
    uint64 dueAt;
    uint64 nextExecutionAt;
    TriggerType triggerKind;
    CheckerKind checkerKind;
    uint32 gasLimit;
    uint96 maxFeePerRun;
    uint96 totalValue;
    /// Where the run's call comes from. CHAINLINK: the upkeep whose performUpkeep it calls. GELATO: the target
    /// the check's payload is sent to. Otherwise the CodeStore holding abi.encode(Action[]), or a short call's
    /// target (see shortCall). One word for all three: a run needs only one of them.
    address callee;
    /// One valueless call with 1-31 bytes of calldata, kept in a storage word (ShortCall): its calldata
    /// left-aligned, its length in the last byte. Zero when the run's call is built otherwise.
    bytes32 shortCall;
}
