"""The hashed locks (requirements*.lock, made by `make lock`) must agree
with the pins we edit (requirements*.txt): a pin changed without re-locking
would install something else than what the lock says."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;#\\]+)", re.M)


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
        elif match := PIN.match(line):
            found[normal(match[1])] = match[2]
    return found


@pytest.mark.parametrize(
    ("source", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_pin_is_locked_at_the_same_version_with_hashes(source, lock):
    wanted, text = pins(ROOT / source), (ROOT / lock).read_text()
    locked = pins(ROOT / lock)

    assert wanted, f"no pins found in {source}"
    mismatched = {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version}
    assert mismatched == {}, f"run `make lock`: {mismatched}"
    # Every locked package carries at least one hash, and nothing is unpinned.
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1].strip())
    for block in blocks:
        if block.startswith("#"):
            continue
        assert "==" in block.splitlines()[0] and "--hash=sha256:" in block, block.splitlines()[0]
    assert "--find-links" not in text and "--extra-index-url" not in text
