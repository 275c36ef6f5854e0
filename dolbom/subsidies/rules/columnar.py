"""CEL parse trees (cel-python's own parser) compiled to Polars expressions, with their CEL type.

This is not a second expression language: the grammar, the parser and the meaning are CEL's, and
cel-python stays the reference that decisions use. It is a compiler for the part of CEL that rules need
and that Polars evaluates identically, so that a selection round or 100,000 applications are evaluated
column-wise instead of one application at a time. Whatever falls outside that part (maps, messages,
macros, strings built at run time, division by a variable) is refused when a rule is saved, with a
Korean message, so that the two evaluators can never disagree on an accepted rule.

The types follow cel-python: int and double do not mix (``3 > 2.5`` is an error there, so it is refused
here), ``int(x)`` truncates toward zero, ``/`` and ``%`` on ints truncate toward zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import celpy
import lark
import polars as pl
from celpy.evaluation import celstr
from django.utils.translation import gettext as _

INT, DOUBLE, STRING, BOOL, LIST = "int", "double", "string", "bool", "list"
_NUMERIC = (INT, DOUBLE)
_POLARS = {INT: pl.Int64, DOUBLE: pl.Float64, STRING: pl.String, BOOL: pl.Boolean, LIST: pl.List(pl.String)}
_COMPARE = {"relation_lt": "__lt__", "relation_le": "__le__", "relation_gt": "__gt__", "relation_ge": "__ge__",
            "relation_eq": "__eq__", "relation_ne": "__ne__"}

_ENV = celpy.Environment()


class RuleError(ValueError):
    """A rule that cannot be accepted; the message is Korean and names the problem."""


@dataclass(frozen=True)
class Typed:
    expr: pl.Expr
    type: str
    literal: object = None  # the Python value when the node is a literal (for `in [...]`, divisors)
    is_literal: bool = False


def polars_dtype(cel_type: str) -> pl.DataType:
    return _POLARS[cel_type]


def parse(source: str) -> lark.Tree:
    try:
        return _ENV.compile(source)
    except celpy.CELParseError as exc:
        raise RuleError(_("The expression cannot be read: %(error)s") % {"error": str(exc).splitlines()[0]}) from exc


def identifiers(tree: lark.Tree) -> set[str]:
    """The facts an expression reads (function names are not identifiers)."""
    return {str(node.children[0]) for node in tree.iter_subtrees() if node.data == "ident"}


def compile_expression(source: str, types: dict[str, str], *, want: str | None = None) -> Typed:
    """Compile ``source`` against the fact types; with ``want``, refuse any other result type."""
    compiled = _Compiler(types).visit(parse(source))
    if want is not None and compiled.type != want:
        raise RuleError(_("The expression gives %(got)s where %(want)s is needed.")
                        % {"got": _type_label(compiled.type), "want": _type_label(want)})
    return compiled


def _type_label(t: str) -> str:
    return {INT: _("a whole number"), DOUBLE: _("a decimal number"), STRING: _("text"), BOOL: _("true or false"),
            LIST: _("a list")}.get(t, t)


def _unsupported(what: str) -> RuleError:
    return RuleError(_("Rules cannot use %(what)s.") % {"what": what})


class _Compiler:
    def __init__(self, types: dict[str, str]) -> None:
        self.types = types

    def visit(self, node: lark.Tree) -> Typed:
        method = getattr(self, f"_{node.data}", None)
        if method is None:
            raise _unsupported(str(node.data))
        return method(node)

    # Pass-through levels of the grammar ---------------------------------------------------------

    def _single(self, node: lark.Tree) -> Typed:
        return self.visit(node.children[0])

    _member = _primary = _single

    def _paren_expr(self, node: lark.Tree) -> Typed:
        return self.visit(node.children[0])

    # expr: conditionalor ["?" conditionalor ":" expr] ---------------------------------------------

    def _expr(self, node: lark.Tree) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        cond, then, other = (self.visit(c) for c in node.children)
        if cond.type != BOOL:
            raise RuleError(_("The condition before ? must be true or false."))
        if then.type != other.type:
            raise RuleError(_("Both sides of ? : must give the same type (%(a)s, %(b)s).")
                            % {"a": _type_label(then.type), "b": _type_label(other.type)})
        return Typed(pl.when(cond.expr).then(then.expr).otherwise(other.expr), then.type)

    def _logical(self, node: lark.Tree, op: str) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        left, right = (self.visit(c) for c in node.children)
        if left.type != BOOL or right.type != BOOL:
            raise RuleError(_("%(op)s joins conditions that are true or false.") % {"op": op})
        return Typed(left.expr & right.expr if op == "&&" else left.expr | right.expr, BOOL)

    def _conditionalor(self, node: lark.Tree) -> Typed:
        return self._logical(node, "||")

    def _conditionaland(self, node: lark.Tree) -> Typed:
        return self._logical(node, "&&")

    # relation ----------------------------------------------------------------------------------

    def _relation(self, node: lark.Tree) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        op_node, right_node = node.children
        left = self.visit(op_node.children[0])
        right = self.visit(right_node)
        if op_node.data == "relation_in":
            return self._in(left, right)
        if left.type != right.type or left.type == LIST:
            raise RuleError(_("Cannot compare %(a)s with %(b)s; write 24 for a whole number, 24.0 for a decimal.")
                            % {"a": _type_label(left.type), "b": _type_label(right.type)})
        if left.type in (BOOL, STRING) and op_node.data not in ("relation_eq", "relation_ne"):
            raise RuleError(_("Text and true/false values can only be compared with == and !=."))
        return Typed(getattr(left.expr, _COMPARE[op_node.data])(right.expr), BOOL)

    def _in(self, left: Typed, right: Typed) -> Typed:
        if right.is_literal and right.type == LIST:
            values = right.literal or []
            kinds = {_kind(v) for v in values}
            if kinds and kinds != {left.type}:
                raise RuleError(_("The list after 'in' must hold values of the same type as the left side."))
            return Typed(left.expr.is_in(pl.Series(values, dtype=polars_dtype(left.type)).implode()), BOOL)
        if right.type == LIST and left.type == STRING:
            return Typed(right.expr.list.contains(left.expr), BOOL)
        raise RuleError(_("'in' needs a list on its right: [\"a\", \"b\"] or a list fact."))

    # arithmetic --------------------------------------------------------------------------------

    def _addition(self, node: lark.Tree) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        op_node, right_node = node.children
        left, right = self.visit(op_node.children[0]), self.visit(right_node)
        self._numeric(left, right)
        expr = left.expr + right.expr if op_node.data == "addition_add" else left.expr - right.expr
        return Typed(expr, left.type)

    def _multiplication(self, node: lark.Tree) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        op_node, right_node = node.children
        left, right = self.visit(op_node.children[0]), self.visit(right_node)
        self._numeric(left, right)
        if op_node.data == "multiplication_mul":
            return Typed(left.expr * right.expr, left.type)
        # A variable divisor could be zero, which is an error in CEL and null in Polars: only literals.
        if not right.is_literal or right.literal == 0:
            raise RuleError(_("Divide only by a number written in the rule, not zero."))
        if op_node.data == "multiplication_mod":
            if left.type != INT:
                raise RuleError(_("% works on whole numbers only."))
            # CEL's remainder takes the sign of the dividend (truncating division).
            return Typed(left.expr - _trunc_div(left.expr, right.expr) * right.expr, INT)
        if left.type == DOUBLE:
            return Typed(left.expr / right.expr, DOUBLE)
        return Typed(_trunc_div(left.expr, right.expr), INT)

    @staticmethod
    def _numeric(left: Typed, right: Typed) -> None:
        if left.type not in _NUMERIC or left.type != right.type:
            raise RuleError(_("Arithmetic needs two numbers of the same kind (%(a)s, %(b)s).")
                            % {"a": _type_label(left.type), "b": _type_label(right.type)})

    # unary -------------------------------------------------------------------------------------

    def _unary(self, node: lark.Tree) -> Typed:
        if len(node.children) == 1:
            return self.visit(node.children[0])
        op, operand_node = node.children
        operand = self.visit(operand_node)
        if op.data == "unary_not":
            if operand.type != BOOL:
                raise RuleError(_("! negates a condition that is true or false."))
            return Typed(~operand.expr, BOOL)
        if operand.type not in _NUMERIC:
            raise RuleError(_("- needs a number."))
        return Typed(-operand.expr, operand.type)

    # leaves ------------------------------------------------------------------------------------

    def _ident(self, node: lark.Tree) -> Typed:
        name = str(node.children[0])
        if name not in self.types:
            raise RuleError(_("Unknown fact '%(name)s'.") % {"name": name})
        return Typed(pl.col(name), self.types[name])

    def _literal(self, node: lark.Tree) -> Typed:
        token = node.children[0]
        kind = token.type
        if kind == "INT_LIT":
            value: object = int(celpy.celtypes.IntType(token.value))
            return Typed(pl.lit(value, dtype=pl.Int64), INT, value, True)
        if kind == "FLOAT_LIT":
            value = float(celpy.celtypes.DoubleType(token.value))
            return Typed(pl.lit(value, dtype=pl.Float64), DOUBLE, value, True)
        if kind in ("STRING_LIT", "MLSTRING_LIT"):
            value = str(celstr(token))
            return Typed(pl.lit(value, dtype=pl.String), STRING, value, True)
        if kind == "BOOL_LIT":
            value = token.value == "true"
            return Typed(pl.lit(value, dtype=pl.Boolean), BOOL, value, True)
        raise _unsupported(_("this kind of value (%(kind)s)") % {"kind": kind})

    def _list_lit(self, node: lark.Tree) -> Typed:
        items = [self.visit(c) for c in node.children[0].children] if node.children else []
        if any(not i.is_literal for i in items):
            raise RuleError(_("A list in a rule holds written values only."))
        if len({i.type for i in items}) > 1:
            raise RuleError(_("A list in a rule holds values of one type."))
        return Typed(pl.lit(None), LIST, [i.literal for i in items], True)

    def _ident_arg(self, node: lark.Tree) -> Typed:
        name = str(node.children[0])
        args = [self.visit(c) for c in node.children[1].children] if len(node.children) > 1 else []
        if len(args) != 1:
            raise _unsupported(_("the function %(name)s with these arguments") % {"name": name})
        (arg,) = args
        if name == "size" and arg.type in (LIST, STRING) and not arg.is_literal:
            expr = arg.expr.list.len() if arg.type == LIST else arg.expr.str.len_chars()
            return Typed(expr.cast(pl.Int64), INT)
        if name == "int" and arg.type in _NUMERIC:
            return Typed(arg.expr.cast(pl.Int64), INT)  # truncates toward zero, as CEL does
        if name == "double" and arg.type in _NUMERIC:
            return Typed(arg.expr.cast(pl.Float64), DOUBLE)
        raise _unsupported(_("the function %(name)s") % {"name": name})


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return DOUBLE
    return STRING


def _trunc_div(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    # Polars' // floors; CEL truncates toward zero.
    q = a.abs() // b.abs()
    return pl.when((a < 0) != (b < 0)).then(-q).otherwise(q)
