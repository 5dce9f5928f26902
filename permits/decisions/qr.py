"""The QR code's matrix for decision layout 3: segno's encoder with its mask evaluation done on
bit rows (issue 14).

segno encodes in about a millisecond; choosing the data mask (ISO/IEC 18004, 7.8.3: apply each
of the eight masks and keep the one with the lowest penalty) costs four times that, module by
module in Python. Here each row and column is an integer: a mask is an XOR with the mask's
pattern over the encoding region (computed once per symbol size), and the four penalty scores
are counted with shifts and bit counts, exactly as segno's ``mask_scores`` counts them, so the
mask chosen, and the matrix, are segno's own (``tests/permits/decisions/test_layout_3.py``
compares them on many inputs). segno's own evaluation still runs for anything this does not
expect (a Micro QR code, a mask asked for, a module that is not 0 or 1).
"""

from __future__ import annotations

import itertools
import sys
import threading
from functools import cache

import segno
from segno import encoder

_LOCK = threading.Lock()
_N3 = (1, 0, 1, 1, 1, 0, 1)  # dark:light:dark dark dark:light:dark, 1:1:3:1:1
_TO_BITS = bytes.maketrans(b"\x00\x01", b"01")
_FROM_BITS = bytes.maketrans(b"01", b"\x00\x01")


def qr_matrix(value: str) -> tuple[bytearray, ...]:
    """segno's matrix of ``value``: error level L (not raised), the smallest version, the mask
    with the lowest penalty; 1 is a dark module. No quiet zone."""
    with _LOCK:
        original = encoder.find_and_apply_best_mask
        encoder.find_and_apply_best_mask = _best_mask
        try:
            return segno.make_qr(value, error="L", boost_error=False).matrix
        finally:
            encoder.find_and_apply_best_mask = original


def _line(modules) -> int:
    """A row or column as an integer, bit j set for a dark module j."""
    return int(bytes(modules).translate(_TO_BITS)[::-1], 2)


@cache
def _mask_patterns(size: int) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Per mask, the modules it inverts (the mask's condition within the encoding region), as
    rows and as columns. The region is the one segno's ``find_and_apply_best_mask`` uses."""
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    function[-8][8] = 0x1
    patterns = []
    for condition in encoder.get_data_mask_functions(False):
        rows = [
            bytearray(1 if function[i][j] > 0x1 and condition(i, j) else 0 for j in range(size))
            for i in range(size)
        ]
        patterns.append(
            (
                tuple(_line(row) for row in rows),
                tuple(_line(col) for col in zip(*rows, strict=True)),
            )
        )
    return tuple(patterns)


def _n1(line: int, width: int) -> int:
    """Runs of five or more modules of one colour: 3 + (length - 5) each."""
    same = ~(line ^ (line >> 1)) & ((1 << (width - 1)) - 1)  # bit p: module p == p + 1
    fives = same & (same >> 1) & (same >> 2) & (same >> 3)  # bit p: p .. p + 4 one colour
    starts = fives & ~(fives << 1)
    return fives.bit_count() + 2 * starts.bit_count()


def _n3(line: int, width: int) -> int:
    """1:1:3:1:1 patterns with four light modules on one side, counted as segno counts them
    (its search resumes after a counted pattern, or four modules on)."""
    found = (1 << (width - 6)) - 1
    for k, dark in enumerate(_N3):
        found &= (line >> k) if dark else ~(line >> k)
    score = 0
    resume = 0
    while found >> resume:
        rest = found >> resume
        idx = resume + ((rest & -rest).bit_length() - 1)
        before = line & ((1 << idx) - 1) & ~((1 << max(idx - 4, 0)) - 1)
        after = (line >> (idx + 7)) & 0xF
        if idx in (0, width - 7) or not before or not after:
            score += 40
            resume = idx + 7
        else:
            resume = idx + 4
    return score


def _penalty(rows: list[int], cols: list[int], width: int) -> int:
    n1 = n3 = 0
    for line in rows:
        n1 += _n1(line, width)
        n3 += _n3(line, width)
    for line in cols:
        n1 += _n1(line, width)
        n3 += _n3(line, width)
    n2 = 0
    inner = (1 << (width - 1)) - 1
    for above, below in itertools.pairwise(rows):
        vertical = ~(above ^ below)
        n2 += (vertical & (vertical >> 1) & ~(below ^ (below >> 1)) & inner).bit_count()
    dark = sum(line.bit_count() for line in rows)
    percent = float(dark) / (width**2)
    n4 = 10 * int(abs(percent * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4


def _best_mask(matrix, width, height, proposed_mask=None):
    """segno's ``find_and_apply_best_mask`` for QR codes, on bit rows."""
    if (
        proposed_mask is not None
        or width != height
        or width < 21
        or any(max(row) > 1 for row in matrix)
    ):
        return _segno_best_mask(matrix, width, height, proposed_mask)
    rows = [_line(row) for row in matrix]
    cols = [_line(col) for col in zip(*matrix, strict=True)]
    best_score, best_mask, best_rows = sys.maxsize, 0, rows
    for number, (mask_rows, mask_cols) in enumerate(_mask_patterns(width)):
        masked = [r ^ m for r, m in zip(rows, mask_rows, strict=True)]
        score = _penalty(masked, [c ^ m for c, m in zip(cols, mask_cols, strict=True)], width)
        if score < best_score:
            best_score, best_mask, best_rows = score, number, masked
    return best_mask, tuple(
        bytearray(format(row, f"0{width}b")[::-1].encode().translate(_FROM_BITS))
        for row in best_rows
    )


_segno_best_mask = encoder.find_and_apply_best_mask
