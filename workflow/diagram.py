"""The permit state machine drawn from the code, so the pictures can never drift from it."""

from __future__ import annotations

from django_fsm import FSMFieldMixin


def transitions_of(model, field_name: str = "status") -> list[tuple[str, str, str]]:
    """(source, target, transition name) for every declared transition, sorted."""
    field = model._meta.get_field(field_name)
    assert isinstance(field, FSMFieldMixin)
    return sorted(
        {(t.source, t.target, t.name) for t in field.get_all_transitions(model)},
        key=lambda edge: (edge[0], edge[2], edge[1]),
    )


def mermaid(model, field_name: str = "status") -> str:
    field = model._meta.get_field(field_name)
    lines = ["stateDiagram-v2", f"    [*] --> {field.default}"]
    lines += [f"    {s} --> {t}: {name}" for s, t, name in transitions_of(model, field_name)]
    return "\n".join(lines) + "\n"


def dot(model, field_name: str = "status") -> str:
    field = model._meta.get_field(field_name)
    edges = transitions_of(model, field_name)
    sources = {s for s, _, _ in edges}
    labels = dict(field.choices)
    lines = ["digraph permit_application {", "    rankdir=LR;", '    node [fontname="Helvetica"];']
    for value in sorted(labels):
        shape = "circle" if value in sources else "doublecircle"
        lines.append(f'    {value} [label="{labels[value]}" shape={shape}];')
    lines += [f'    {s} -> {t} [label="{name}"];' for s, t, name in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
