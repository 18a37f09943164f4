"""Kinds of number, each written its own way by the renderers: given by the user (x, y, α, β1, ...), a
parameter Θ or b, a computed result (a result far below the precision, such as Adam's v, is written in powers
of ten by the rule every result follows), a result of the order of a squared one (an optimizer's running
average of g², written with the digits hand rounding keeps for it: twice as many), or a count (Adam's step t).
The optimizers' rules tag their values with them; ``NumberFormat.write`` spells each."""

GIVEN, RESULT, PARAM, COUNT = "given", "result", "param", "count"
SQUARED = "squared"
