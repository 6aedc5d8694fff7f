"""The suite shares code one way: plain helpers from tests/support, fixtures from the conftest.py
of the narrowest folder that covers their users. A test module that imported another test module
or a conftest would run that module's import side effects and bring its fixtures in by name (the
`noqa: F401/F811` pairs this rule replaced)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module_or_conftest(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last == "conftest" or last.startswith("test_")


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}: {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in _imports(path)
        if _is_test_module_or_conftest(name)
    ]
    assert offenders == []
