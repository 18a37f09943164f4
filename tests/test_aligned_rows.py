"""Numbers of a table's columns lined up on their decimal points, column by column (render/parts.py)."""

import pytest

from backprop_cli.model import document as doc
from backprop_cli.render.parts import Flush, aligned_rows


def _text(cell) -> str:
    return cell.text if isinstance(cell, Flush) else cell


def test_points_line_up_in_number_columns_and_text_is_left_alone():
    rows = aligned_rows([("n1", "0.394", "a 1"), ("n2", "−1.4077", "b"), ("n3", "12", "c")],
                        [doc.LABEL, doc.NUMBER, doc.TEXT])
    numbers = [_text(row[1]) for row in rows]
    assert numbers == ["0.394 ", "−1.4077", "12     "]
    assert [row[0] for row in rows] == ["n1", "n2", "n3"] and [row[2] for row in rows] == ["a 1", "b", "c"]
    assert len({len(cell) - cell.index(".") for cell in numbers if "." in cell}) == 1


def test_a_row_of_sixty_thousand_numbers_keeps_every_cell():
    row = tuple(f"{(-1) ** n * n / 1000:.{n % 4}f}" for n in range(60_000))
    (out,) = aligned_rows([row], [doc.NUMBER] * len(row))
    assert [_text(cell) for cell in out] == list(row)  # one row: every number is its own column


def test_rows_of_unequal_length_are_refused_and_empty_rows_kept():
    with pytest.raises(ValueError):
        aligned_rows([("1", "2"), ("3",)], [doc.NUMBER, doc.NUMBER])
    assert aligned_rows([(), ()], []) == [(), ()]
    assert aligned_rows([], [doc.NUMBER]) == []
