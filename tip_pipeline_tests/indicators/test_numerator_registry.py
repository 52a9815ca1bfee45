"""The numerator registry: every registered name is written out where it is defined."""

import ast
from pathlib import Path

import pytest

import tip_pipeline.indicators.numerators as numerators
from tip_pipeline.indicators.numerator_registry import numerator, numerator_names


def _literal_registrations() -> list[str]:
    """The names in ``@register("<name>")`` decorators of the numerator modules."""
    names = []
    for path in sorted(Path(numerators.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if (
                    isinstance(deco, ast.Call)
                    and isinstance(deco.func, ast.Name)
                    and deco.func.id == "register"
                ):
                    assert len(deco.args) == 1 and isinstance(deco.args[0], ast.Constant)
                    names.append(deco.args[0].value)
    return names


def test_every_numerator_is_registered_by_a_literal_decorator():
    literal = _literal_registrations()
    assert len(literal) == len(set(literal))
    assert sorted(literal) == numerator_names()


def test_an_unknown_numerator_is_named_in_the_error():
    with pytest.raises(KeyError, match="no numerator 'nonexistent'"):
        numerator("nonexistent")
