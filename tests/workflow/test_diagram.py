from __future__ import annotations

import re
from pathlib import Path

from permits.models import PermitApplication
from workflow import diagram

ROOT = Path(__file__).resolve().parents[2]


def test_committed_dot_file_matches_the_state_machine():
    committed = (ROOT / "docs" / "state-diagram.dot").read_text()

    assert committed == diagram.dot(PermitApplication), "run `make diagram` and commit"


def test_readme_diagram_matches_the_state_machine():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", readme, re.S)

    assert block is not None
    assert block.group(1) == diagram.mermaid(PermitApplication), "run `make diagram` and commit"


def test_every_state_is_reachable_from_draft():
    edges = diagram.transitions_of(PermitApplication)
    reached, frontier = {"draft"}, ["draft"]
    while frontier:
        state = frontier.pop()
        for source, target, _ in edges:
            if source == state and target not in reached:
                reached.add(target)
                frontier.append(target)

    assert reached == {value for value, _ in PermitApplication._meta.get_field("status").choices}
