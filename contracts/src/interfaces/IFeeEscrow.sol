// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IFeeEscrow {
    function balanceOf(uint256 id) external view returns (uint256);

    function credit(uint256 id, address from) external payable;

    function refund(uint256 id, address to) external returns (uint256 amount);

    function release(uint256 id, uint256 amount) external;

    function charge(uint256 id, address worker, uint256 gasUsed, uint256 gasPrice, uint256 maxFee)
        external
        returns (uint256 fee);
}
