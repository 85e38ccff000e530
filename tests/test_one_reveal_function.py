"""Reveal together is one function per reveal (issue #17, item 1): the only
code that marks something revealed, or announces a reveal, is inside the
function named for it. A reveal written anywhere else is how a drifted copy
of the rule starts, and in this product a drifted reveal rule is a leak.

Demo seeding (``*/demo.py``) writes finished history directly and is left
out; so are tests, migrations and benchmarks."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "agreements", "backend", "checkins", "couples", "gratitude", "journal", "reminders", "space"]
APPS += ["therapists", "pwa", "repair", "daily", "firstrun", "checkups", "reassurance"]

# (file, function) -> what it may write or announce.
OWNERS = {
    ("checkins/services.py", "checkin_reveal"): {"revealed_at", "Kind.REVEALED"},
    ("checkins/services.py", "live_step_reveal"): {"revealed_steps", "step_revealed"},
    ("agreements/services.py", "agreement_reflections_reveal"): {"revealed_at"},
    ("repair/conversation.py", "repair_step_reveal"): {"revealed_at", "step_revealed"},
    ("daily/services.py", "daily_question_reveal"): {"revealed_at"},
    ("checkups/services.py", "checkup_round_reveal"): {"revealed_at"},
    ("reassurance/services.py", "reassurance_reveal"): {"revealed_at"},
}
WRITES = {"update", "update_session", "create", "bulk_create", "update_or_create", "get_or_create"}


def _reveals(tree: ast.AST):
    """(enclosing function, what) for every reveal written in ``tree``."""
    found = []

    def visit(node, function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in ("revealed_at", "revealed_steps"):
                    found.append((function, target.attr))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            for keyword in node.keywords:
                if keyword.arg in ("revealed_at", "revealed_steps"):
                    found.append((function, keyword.arg))
        if isinstance(node, ast.Constant) and node.value == "step_revealed":
            found.append((function, "step_revealed"))
        if isinstance(node, ast.Attribute) and node.attr == "REVEALED" and getattr(node.value, "attr", "") == "Kind":
            found.append((function, "Kind.REVEALED"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return found


def test_every_reveal_is_written_by_the_function_named_for_it():
    strays, seen = [], set()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or path.name == "demo.py" or path.name == "models.py":
                continue
            for function, what in _reveals(ast.parse(path.read_text(), filename=relative)):
                if what in OWNERS.get((relative, function), set()):
                    seen.add((relative, function, what))
                else:
                    strays.append(f"{relative}: {function or '<module>'} writes {what}")
    assert strays == []
    # And each owner really is where the reveal is written (the walk sees it).
    assert {(f, fn) for f, fn, _ in seen} == set(OWNERS)


def test_the_walk_finds_a_stray_reveal():
    stray = ast.parse(
        "def sneaky(c):\n    c.revealed_at = now\n    Reflection.objects.filter(pk=1).update(revealed_at=now)\n"
    )
    assert _reveals(stray) == [("sneaky", "revealed_at"), ("sneaky", "revealed_at")]
