// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice 5-field cron schedules in UTC, Vixie cron's semantics: `minute hour day-of-month month day-of-week`,
/// each field a comma list of `*`, `a`, `a-b`, `*/n`, `a-b/n` or `a/n` (= a-max/n); month and weekday names in
/// any case; 0 and 7 both Sunday; the macros yearly, annually, monthly, weekly, daily, midnight and hourly, each
/// written after an at sign, in lower case as in Vixie cron.
/// Day rule: when the day-of-month or the day-of-week field starts with `*` (`*/2` too), a day must match both;
/// otherwise either. lib/cron.ts is the off-chain mirror: same grammar, errors, packing, ticks and search bound.
/// @dev Packed spec (one uint256): bits 0-59 minutes, 64-87 hours, 96+d days of month (d 1-31), 128+m months
/// (m 1-12), 144+w weekdays (w 0-6, Sunday 0), bit 160 "day-of-month starts with *", bit 161 the same for
/// day-of-week. Every parsed spec has at least one bit in each field.
library Cron {
    /// A malformed expression, and where: the registry refuses registration with it.
    error InvalidCronExpression(uint256 position, string why);

    /// Longer expressions are refused: they are parsed on registration, and their bytes are stored.
    uint256 internal constant MAX_LENGTH = 128;
    /// `next` looks at the month of the first candidate minute and the 96 after it (8 years and a month):
    /// enough for Feb 29 across 2100 (2096 → 2104), and a bounded cost for a schedule that never fires.
    uint256 internal constant SEARCH_MONTHS = 96;

    uint256 private constant MINUTES_AT = 0;
    uint256 private constant HOURS_AT = 64;
    uint256 private constant DAYS_AT = 96;
    uint256 private constant MONTHS_AT = 128;
    uint256 private constant WEEKDAYS_AT = 144;
    uint256 private constant DOM_STAR = 1 << 160;
    uint256 private constant DOW_STAR = 1 << 161;

    uint256 private constant MINUTES_ALL = 0xfffffffffffffff; // bits 0-59
    uint256 private constant HOURS_ALL = 0xffffff; // bits 0-23
    uint256 private constant DAYS_ALL = 0xfffffffe; // bits 1-31
    uint256 private constant MONTHS_ALL = 0x1ffe; // bits 1-12
    uint256 private constant WEEKDAYS_ALL = 0x7f; // bits 0-6
    uint256 private constant LONG_MONTHS = 0x15aa; // Jan, Mar, May, Jul, Aug, Oct, Dec

    /// Per field f, 32 bits at 32*f: min, max, largest step (the field's size, as croner has it), packing offset:
    /// minute (0, 59, 60, 0), hour (0, 23, 24, 64), day-of-month (1, 31, 31, 96), month (1, 12, 12, 128),
    /// day-of-week (0, 7, 7, 144).
    uint256 private constant FIELDS = 0x0090070700800c0c01601f1f0140181700003c3b00;

    // Character classes as bit sets over the byte values (END, 256, is in none: a shift by 256 gives 0).
    uint256 private constant BLANKS = 0x100000200; // ' ' and '\t'
    uint256 private constant DIGITS = 0x3ff000000000000; // '0'-'9'
    uint256 private constant LETTERS = 0x7fffffe07fffffe0000000000000000; // 'A'-'Z', 'a'-'z'

    /// JAN..DEC and SUN..SAT, 15 bits a name at 15*k, 5 bits a letter (its byte & 0x1f, so either case).
    uint256 private constant MONTH_NAMES = 0x2146e7d9e3a4cb00d4eaab155734390c24d0c8c51282e;
    uint256 private constant WEEKDAY_NAMES = 0x130d0d24d115b9494a95af74eae;

    /// What `_at` returns past the last byte: no byte has it, so a NUL in the expression is not its end.
    uint256 private constant END = 256;
    /// What the bit scans return when there is no bit.
    uint256 private constant NONE = 256;

    // ───────────────────────────── parsing ─────────────────────────────

    /// Parses `expr` into a packed spec (bitmasks for each field plus the two "starts with *" flags in one uint256).
    /// @dev A cursor parser: each step returns where it stopped and the byte there (`c`, END past the last), so
    /// that every byte is read once. lib/cron.ts follows the same grammar and raises the same errors.
    function parse(bytes memory expr) internal pure returns (uint256 spec) {
        uint256 n = expr.length;
        if (n > MAX_LENGTH) revert InvalidCronExpression(MAX_LENGTH, "longer than 128 bytes");
        (uint256 i, uint256 c) = _skipBlanks(expr, 0, _at(expr, 0));
        if (c == 0x40) return _macro(expr, i); // '@'
        for (uint256 f; f < 5; ++f) {
            (i, c) = _skipBlanks(expr, i, c);
            if (c == END) revert InvalidCronExpression(n, "too few fields");
            if (c == 0x2a) {
                // '*': Vixie's DOM_STAR / DOW_STAR
                if (f == 2) spec |= DOM_STAR;
                else if (f == 4) spec |= DOW_STAR;
            }
            uint256 mask;
            (mask, i, c) = _field(expr, i, c, f);
            if (f == 4) mask = (mask | (mask >> 7)) & WEEKDAYS_ALL; // Sunday is 0 and 7
            spec |= mask << ((FIELDS >> (32 * f + 24)) & 0xff);
        }
        (i, c) = _skipBlanks(expr, i, c);
        if (c != END) revert InvalidCronExpression(i, "too many fields");
    }

    /// Field `f` from `i` (byte `c`) to the blank or end after it: its bit set (unshifted), where it stopped, the byte there.
    function _field(bytes memory expr, uint256 i, uint256 c, uint256 f)
        private
        pure
        returns (uint256 mask, uint256 stoppedAt, uint256 stoppedOn)
    {
        uint256 bounds = FIELDS >> (32 * f);
        uint256 max = (bounds >> 8) & 0xff;
        while (true) {
            uint256 item = i;
            if (c == 0x2c || _endsField(c)) revert InvalidCronExpression(i, "empty list item");
            uint256 lo;
            uint256 hi;
            bool single;
            if (c == 0x2a) {
                // '*'
                (lo, hi) = (bounds & 0xff, max);
                c = _at(expr, ++i);
            } else {
                (lo, i, c) = _value(expr, i, c, f);
                (hi, single) = (lo, true);
                if (c == 0x2d) {
                    // '-'
                    (hi, i, c) = _value(expr, i + 1, _at(expr, i + 1), f);
                    single = false;
                    if (lo > hi) revert InvalidCronExpression(item, "reversed range");
                }
            }
            uint256 step = 1;
            if (c == 0x2f) {
                // '/'
                c = _at(expr, ++i);
                if (!_isDigit(c)) revert InvalidCronExpression(i, "expected a step number");
                uint256 stepAt = i;
                (step, i, c) = _number(expr, i, c);
                if (step == 0) revert InvalidCronExpression(stepAt, "zero step");
                if (step > ((bounds >> 16) & 0xff)) revert InvalidCronExpression(stepAt, "step out of range");
                if (single) hi = max; // `a/n` is a-max/n
            }
            unchecked {
                if (step == 1) {
                    mask |= (1 << (hi + 1)) - (1 << lo);
                } else {
                    for (uint256 v = lo; v <= hi; v += step) mask |= 1 << v;
                }
            }
            if (c == 0x2c) {
                c = _at(expr, ++i);
                continue;
            }
            if (_endsField(c)) return (mask, i, c);
            revert InvalidCronExpression(i, "unexpected character");
        }
    }

    /// A number or a name at `i` (byte `c`), checked against field `f`; where it stopped, the byte there.
    function _value(bytes memory expr, uint256 i, uint256 c, uint256 f) private pure returns (uint256, uint256, uint256) {
        uint256 at = i;
        if (_isDigit(c)) {
            uint256 v;
            (v, i, c) = _number(expr, i, c);
            uint256 bounds = FIELDS >> (32 * f);
            if (v < (bounds & 0xff) || v > ((bounds >> 8) & 0xff)) {
                revert InvalidCronExpression(at, string.concat(_fieldName(f), " out of range"));
            }
            return (v, i, c);
        }
        if (_isLetter(c)) {
            uint256 word; // 5 bits a letter, either case: 'A' and 'a' are 1
            unchecked {
                do {
                    word = (word << 5) | (c & 0x1f);
                    c = _at(expr, ++i);
                } while (_isLetter(c));
                if (i - at == 3 && f >= 3) {
                    (uint256 names, uint256 count) = f == 3 ? (MONTH_NAMES, 12) : (WEEKDAY_NAMES, 7);
                    for (uint256 k; k < count; ++k) {
                        if ((names >> (15 * k)) & 0x7fff == word) return (k + (f == 3 ? 1 : 0), i, c);
                    }
                }
            }
            revert InvalidCronExpression(at, "unknown name");
        }
        if (_endsField(c) || c == 0x2c || c == 0x2d || c == 0x2f) revert InvalidCronExpression(i, "expected a value");
        revert InvalidCronExpression(i, "unexpected character");
    }

    /// Digits to a number; long runs saturate at 1000 so that they read as out of range, not wrap.
    function _number(bytes memory expr, uint256 i, uint256 c) private pure returns (uint256 v, uint256, uint256) {
        unchecked {
            while (_isDigit(c)) {
                v = v * 10 + c - 0x30;
                if (v > 1000) v = 1000;
                c = _at(expr, ++i);
            }
        }
        return (v, i, c);
    }

    function _macro(bytes memory expr, uint256 i) private pure returns (uint256) {
        uint256 j = i + 1;
        uint256 c = _at(expr, j);
        while (!_endsField(c)) c = _at(expr, ++j);
        uint256 len = j - i - 1;
        bytes32 word;
        assembly ("memory-safe") {
            word := mload(add(add(expr, 0x21), i))
        }
        // keep the name's bytes only (a name longer than 32 bytes is no macro anyway)
        if (len < 32) word &= ~bytes32(type(uint256).max >> (8 * len));
        string memory expansion;
        if ((len == 6 && word == "yearly") || (len == 8 && word == "annually")) expansion = "0 0 1 1 *";
        else if (len == 7 && word == "monthly") expansion = "0 0 1 * *";
        else if (len == 6 && word == "weekly") expansion = "0 0 * * 0";
        else if ((len == 5 && word == "daily") || (len == 8 && word == "midnight")) expansion = "0 0 * * *";
        else if (len == 6 && word == "hourly") expansion = "0 * * * *";
        else revert InvalidCronExpression(i, "unknown macro");
        (j, c) = _skipBlanks(expr, j, c);
        if (c != END) revert InvalidCronExpression(j, "too many fields");
        return parse(bytes(expansion));
    }

    function _fieldName(uint256 f) private pure returns (string memory) {
        if (f == 0) return "minute";
        if (f == 1) return "hour";
        if (f == 2) return "day-of-month";
        if (f == 3) return "month";
        return "day-of-week";
    }

    /// The byte at `i`, or END past the last one (no bounds-check revert: the callers stop at END).
    function _at(bytes memory expr, uint256 i) private pure returns (uint256 c) {
        assembly ("memory-safe") {
            c := END
            if lt(i, mload(expr)) { c := byte(0, mload(add(add(expr, 0x20), i))) }
        }
    }

    function _skipBlanks(bytes memory expr, uint256 i, uint256 c) private pure returns (uint256, uint256) {
        unchecked {
            while ((BLANKS >> c) & 1 == 1) c = _at(expr, ++i);
        }
        return (i, c);
    }

    function _endsField(uint256 c) private pure returns (bool) {
        return c == END || (BLANKS >> c) & 1 == 1;
    }

    function _isDigit(uint256 c) private pure returns (bool) {
        return (DIGITS >> c) & 1 == 1;
    }

    function _isLetter(uint256 c) private pure returns (bool) {
        return (LETTERS >> c) & 1 == 1;
    }

    // ───────────────────────────── next tick ─────────────────────────────

    /// The first tick strictly after `afterTimestamp` (unix seconds, a multiple of 60), or 0 if the spec has none
    /// within the search bound (e.g. `0 0 30 2 *` never fires). Month by month: the first allowed month, the first
    /// matching day in it, then hour, then minute; each a bit scan, no minute-by-minute or day-by-day loop.
    function next(uint256 spec, uint256 afterTimestamp) internal pure returns (uint256) {
        unchecked {
            if (afterTimestamp >= 1 << 64) return 0; // timestamps are uint64 in the registry
            uint256 minutes_ = (spec >> MINUTES_AT) & MINUTES_ALL;
            uint256 hours_ = (spec >> HOURS_AT) & HOURS_ALL;
            uint256 months = (spec >> MONTHS_AT) & MONTHS_ALL;
            if (spec & (DOM_STAR | DOW_STAR) != 0) {
                // AND rule: a month must hold one of the dates. Leaving out those too short for any saves the
                // loop's visits to them, and answers most schedules that never fire (`0 0 30 2 *`) at once.
                uint256 dates = (spec >> DAYS_AT) & DAYS_ALL;
                if (dates & 0x7ffffffe == 0) months &= LONG_MONTHS; // the 31st only
                if (dates & 0x3ffffffe == 0) months &= ~uint256(1 << 2); // nothing up to the 29th: no February
            }
            if (minutes_ == 0 || hours_ == 0 || months == 0) return 0;

            uint256 start = afterTimestamp - (afterTimestamp % 60) + 60;
            (uint256 y, uint256 m, uint256 d) = _civilFromDays(start / 86400);
            uint256 h = (start % 86400) / 3600;
            uint256 mi = (start % 3600) / 60;
            uint256 lastMonth = y * 12 + m + SEARCH_MONTHS;

            while (true) {
                if ((months >> m) & 1 == 0) {
                    // also m = 13 after December: no bit there
                    uint256 nextMonth = _nextBit(months, m);
                    if (nextMonth == NONE) {
                        ++y;
                        nextMonth = _nextBit(months, 1);
                    }
                    (m, d, h, mi) = (nextMonth, 1, 0, 0);
                }
                if (y * 12 + m > lastMonth) return 0;
                uint256 day = _nextDay(spec, y, m, d);
                if (day == NONE) {
                    (m, d, h, mi) = (m + 1, 1, 0, 0);
                    continue;
                }
                if (day != d) (d, h, mi) = (day, 0, 0);
                uint256 hour = _nextBit(hours_, h);
                if (hour == NONE) {
                    (d, h, mi) = (d + 1, 0, 0);
                    continue;
                }
                if (hour != h) (h, mi) = (hour, 0);
                uint256 minute = _nextBit(minutes_, mi);
                if (minute == NONE) {
                    (h, mi) = (h + 1, 0);
                    continue;
                }
                return (_daysFromCivil(y, m) + d - 1) * 86400 + hour * 3600 + minute * 60;
            }
        }
        return 0; // unreachable: the loop returns
    }

    /// The first day ≥ d of month (y, m) that the day rule accepts, or NONE. The weekday field becomes a bit set
    /// over the month's days by rotating it to the weekday of the 1st and repeating it every 7 bits.
    function _nextDay(uint256 spec, uint256 y, uint256 m, uint256 d) private pure returns (uint256) {
        unchecked {
            uint256 inMonth = (1 << (_daysInMonth(y, m) + 1)) - 2;
            uint256 weekdays = (spec >> WEEKDAYS_AT) & WEEKDAYS_ALL;
            uint256 byWeekday = inMonth;
            if (weekdays != WEEKDAYS_ALL) {
                uint256 w1 = (_daysFromCivil(y, m) + 4) % 7; // 1970-01-01 was a Thursday
                uint256 week = ((weekdays >> w1) | (weekdays << (7 - w1))) & WEEKDAYS_ALL;
                byWeekday = (week * 0x10204081) << 1; // five weeks, day d at bit d
            }
            uint256 byDate = (spec >> DAYS_AT) & DAYS_ALL;
            uint256 candidates = spec & (DOM_STAR | DOW_STAR) != 0 ? byDate & byWeekday : byDate | byWeekday;
            return _nextBit(candidates & inMonth, d);
        }
    }

    /// The lowest set bit of `mask` at or above `from`, or NONE (`mask` below 2^64, `from` below 64).
    function _nextBit(uint256 mask, uint256 from) private pure returns (uint256 r) {
        unchecked {
            uint256 x = (mask >> from) << from;
            if (x == 0) return NONE;
            x &= 0 - x; // the lowest bit alone; now its index, by halves
            if (x >= 1 << 32) (r, x) = (r + 32, x >> 32);
            if (x >= 1 << 16) (r, x) = (r + 16, x >> 16);
            if (x >= 1 << 8) (r, x) = (r + 8, x >> 8);
            if (x >= 1 << 4) (r, x) = (r + 4, x >> 4);
            if (x >= 1 << 2) (r, x) = (r + 2, x >> 2);
            if (x >= 1 << 1) r += 1;
        }
    }

    function _daysInMonth(uint256 y, uint256 m) private pure returns (uint256) {
        if (m == 2) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
        return 30 | ((m ^ (m >> 3)) & 1); // 31 in Jan, Mar, May, Jul, Aug, Oct, Dec
    }

    /// Howard Hinnant's days_from_civil for the 1st of (y, m), y ≥ 1970: days since 1970-01-01.
    function _daysFromCivil(uint256 y, uint256 m) private pure returns (uint256) {
        unchecked {
            if (m <= 2) --y;
            uint256 era = y / 400;
            uint256 yoe = y - era * 400;
            uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
            return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
        }
    }

    /// Howard Hinnant's civil_from_days for days since 1970-01-01.
    function _civilFromDays(uint256 z) private pure returns (uint256 y, uint256 m, uint256 d) {
        unchecked {
            z += 719468;
            uint256 era = z / 146097;
            uint256 doe = z - era * 146097;
            uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            uint256 mp = (5 * doy + 2) / 153;
            d = doy - (153 * mp + 2) / 5 + 1;
            m = mp < 10 ? mp + 3 : mp - 9;
            y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        }
    }
}
