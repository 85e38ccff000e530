"""A current member has one definition (issue #17, item 4):
``couples.models.Membership.objects.current()`` (``.current_of(couple_id=...)``)
for queries and ``Membership.is_current`` for a membership in hand, or a
selector in ``couples/selectors.py`` built on them. Outside ``couples/`` no
code spells the rule out again (``left_at__isnull``, ``left_at=None``,
``.left_at is None``): a copy is how a drifted rule starts, and here a
drifted membership rule lets a former partner read the couple.

Tests, migrations and benchmarks are left out: they check the stored state."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "agreements", "backend", "checkins", "gratitude", "journal", "reminders", "space", "therapists"]
APPS += ["pwa", "daily", "firstrun"]

# (file, function) allowed to spell the rule, and why. Each one left is a
# debt: remove it when its code moves to the definition above.
# Nothing outside couples/ may spell "current member" itself.
ALLOWED: set[tuple[str, str]] = set()


def _spells_current_member(node: ast.AST) -> bool:
    if isinstance(node, ast.keyword) and node.arg is not None:
        if node.arg == "left_at__isnull" or node.arg.endswith("__left_at__isnull"):
            return True
        if (node.arg == "left_at" or node.arg.endswith("__left_at")) and _is_none(node.value):
            return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith("left_at__isnull"):
        return True  # Q(**{"left_at__isnull": True}) and the like
    if isinstance(node, ast.Compare) and any(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
        operands = [node.left, *node.comparators]
        has_left_at = any(isinstance(o, ast.Attribute) and o.attr == "left_at" for o in operands)
        return has_left_at and any(_is_none(o) for o in operands)
    return False


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _copies(tree: ast.AST) -> list[tuple[str | None, int]]:
    """(enclosing function, line) for every spelling of the rule in ``tree``."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if _spells_current_member(node):
            found.append((function, getattr(node, "lineno", None) or getattr(node.value, "lineno", 0)))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_current_member_is_defined_only_in_couples():
    strays, seen = [], set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            for function, line in _copies(ast.parse(path.read_text(), filename=relative)):
                if (relative, function) in ALLOWED:
                    seen.add((relative, function))
                else:
                    strays.append(f"{relative}:{line} in {function}")
    assert strays == [], "use Membership.objects.current() / .is_current or a couples selector"
    # An allowance whose copy is gone is removed too, so that the list only shrinks.
    assert seen == ALLOWED


def test_the_walk_finds_each_spelling():
    source = """
def f(user, m):
    Membership.objects.filter(user=user, left_at__isnull=True)
    CheckIn.objects.filter(couple__memberships__left_at__isnull=True)
    Membership.objects.filter(left_at=None)
    Q(**{"left_at__isnull": True})
    return m.left_at is None
"""
    assert len(_copies(ast.parse(source))) == 5
    assert _copies(ast.parse("Membership.objects.current().filter(user=user)\nm.is_current\n")) == []
