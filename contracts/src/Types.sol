// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What starts a run. LOG and CRON are reserved so the encoding stays stable when they land.
enum TriggerType {
    TIME,
    CONDITION,
    LOG,
    CRON
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
    EXPIRED
}

struct Action {
    address target;
    uint256 value;
    bytes data;
}

struct Trigger {
    TriggerType kind;
    /// TIME: seconds between runs (0 = one-shot). CONDITION: minimum seconds between runs.
    uint64 interval;
    CheckerKind checkerKind;
    address checker;
    /// CONDITION/CHAINLINK: the checkUpkeep argument. Reserved for LOG filters and CRON specs.
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

/// @notice What ActionExecutor needs to perform one run, handed over by the registry.
struct RunContext {
    uint64 runNumber;
    uint64 dueAt;
    uint64 nextExecutionAt;
    Status status;
    TriggerType triggerKind;
    CheckerKind checkerKind;
    address checker;
    address forwarder;
    uint32 gasLimit;
    uint96 maxFeePerRun;
    uint96 totalValue;
    bytes actions; // abi.encode(Action[])
}
