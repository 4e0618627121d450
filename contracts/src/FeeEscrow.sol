// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Status} from "./Types.sol";
import {IFeeEscrow} from "./interfaces/IFeeEscrow.sol";
import {IWorkflowRegistry} from "./interfaces/IWorkflowRegistry.sol";

/// @title FeeEscrow
/// @notice Holds each workflow's native-token balance and the workers' earnings.
/// Invariant: address(this).balance == sum of workflow balances + sum of unclaimed earnings.
contract FeeEscrow is IFeeEscrow, AccessControl, ReentrancyGuard {
    bytes32 public constant EXECUTOR_ROLE = keccak256("EXECUTOR_ROLE");
    uint16 public constant MAX_PREMIUM_BPS = 10_000;

    IWorkflowRegistry public immutable registry;

    mapping(uint256 id => uint256) public balanceOf;
    mapping(address worker => uint256) public earnings;

    /// Share added on top of the gas cost, in basis points (2000 = +20%).
    uint16 public premiumBps;
    /// Fixed amount added to every run's fee.
    uint96 public flatFee;

    event Deposited(uint256 indexed id, address indexed from, uint256 amount, uint256 balance);
    event Withdrawn(uint256 indexed id, address indexed to, uint256 amount, uint256 balance);
    event Refunded(uint256 indexed id, address indexed to, uint256 amount);
    event Released(uint256 indexed id, uint256 amount, uint256 balance);
    event Claimed(address indexed worker, uint256 amount);
    event FeeParamsSet(uint16 premiumBps, uint96 flatFee);

    error OnlyRegistry();
    error UnknownWorkflow(uint256 id);
    error WorkflowCancelled(uint256 id);
    error NotWorkflowOwner(uint256 id, address caller);
    error InsufficientBalance(uint256 id, uint256 balance, uint256 requested);
    error ZeroAmount();
    error NothingToClaim();
    error PremiumTooHigh(uint16 premiumBps);
    error TransferFailed(address to, uint256 amount);

    modifier onlyRegistry() {
        if (msg.sender != address(registry)) revert OnlyRegistry();
        _;
    }

    constructor(address admin, IWorkflowRegistry registry_, uint16 premiumBps_, uint96 flatFee_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        registry = registry_;
        _setFeeParams(premiumBps_, flatFee_);
    }

    /// @notice Adds funds to a workflow; anyone may top one up.
    function deposit(uint256 id) external payable nonReentrant {
        _requireOpen(id);
        _credit(id, msg.sender);
    }

    /// @notice The registry passes on the value sent with `register`; the executor returns the value
    /// of a run whose actions failed.
    function credit(uint256 id, address from) external payable {
        if (msg.sender != address(registry) && !hasRole(EXECUTOR_ROLE, msg.sender)) revert OnlyRegistry();
        _credit(id, from);
    }

    function withdraw(uint256 id, uint256 amount) external nonReentrant {
        (address owner,) = registry.ownerAndStatus(id);
        if (owner == address(0)) revert UnknownWorkflow(id);
        if (msg.sender != owner) revert NotWorkflowOwner(id, msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 balance = balanceOf[id];
        if (amount > balance) revert InsufficientBalance(id, balance, amount);
        balance -= amount;
        balanceOf[id] = balance;
        emit Withdrawn(id, owner, amount, balance);
        _send(owner, amount);
    }

    /// @notice Returns the whole balance to `to` when the registry cancels a workflow.
    function refund(uint256 id, address to) external onlyRegistry nonReentrant returns (uint256 amount) {
        amount = balanceOf[id];
        if (amount == 0) return 0;
        balanceOf[id] = 0;
        emit Refunded(id, to, amount);
        _send(to, amount);
    }

    /// @notice Hands the value a run's actions carry to ActionExecutor.
    function release(uint256 id, uint256 amount) external onlyRole(EXECUTOR_ROLE) nonReentrant {
        uint256 balance = balanceOf[id];
        if (amount > balance) revert InsufficientBalance(id, balance, amount);
        balance -= amount;
        balanceOf[id] = balance;
        emit Released(id, amount, balance);
        _send(msg.sender, amount);
    }

    /// @notice Moves a run's fee from the workflow to the worker's earnings.
    /// fee = gasUsed * gasPrice * (10000 + premiumBps) / 10000 + flatFee, capped at maxFee and at the
    /// balance (an owner contract could have withdrawn during the run).
    /// @dev No reentrancy guard: it calls nothing, so no one can enter anything through it, and the guard's
    /// two writes cost every run 3k gas. No event either: the only caller, ActionExecutor, records the charge
    /// in the run's WorkflowExecuted (its worker and fee; the balance after is the one before less the fee).
    /// A Charged event of its own repeated that and cost every run 2.1k gas, 5% of a plain run's block space.
    function charge(uint256 id, address worker, uint256 gasUsed, uint256 gasPrice, uint256 maxFee)
        external
        onlyRole(EXECUTOR_ROLE)
        returns (uint256 fee)
    {
        fee = quote(gasUsed, gasPrice);
        if (fee > maxFee) fee = maxFee;
        uint256 balance = balanceOf[id];
        if (fee > balance) fee = balance;
        balance -= fee;
        balanceOf[id] = balance;
        earnings[worker] += fee;
    }

    /// @notice Pays the caller everything it has earned (pull payment).
    function claim() external nonReentrant returns (uint256 amount) {
        amount = earnings[msg.sender];
        if (amount == 0) revert NothingToClaim();
        earnings[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    function setFeeParams(uint16 premiumBps_, uint96 flatFee_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFeeParams(premiumBps_, flatFee_);
    }

    /// @notice The uncapped fee for a run that used `gasUsed` gas at `gasPrice`.
    function quote(uint256 gasUsed, uint256 gasPrice) public view returns (uint256) {
        return gasUsed * gasPrice * (10_000 + uint256(premiumBps)) / 10_000 + flatFee;
    }

    function _credit(uint256 id, address from) private {
        if (msg.value == 0) revert ZeroAmount();
        uint256 balance = balanceOf[id] + msg.value;
        balanceOf[id] = balance;
        emit Deposited(id, from, msg.value, balance);
    }

    function _requireOpen(uint256 id) private view {
        (address owner, Status status) = registry.ownerAndStatus(id);
        if (owner == address(0)) revert UnknownWorkflow(id);
        if (status == Status.CANCELLED) revert WorkflowCancelled(id);
    }

    function _setFeeParams(uint16 premiumBps_, uint96 flatFee_) private {
        if (premiumBps_ > MAX_PREMIUM_BPS) revert PremiumTooHigh(premiumBps_);
        premiumBps = premiumBps_;
        flatFee = flatFee_;
        emit FeeParamsSet(premiumBps_, flatFee_);
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }
}
