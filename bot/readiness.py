"""The Definition of Ready: which items a team can plan into a sprint, and why the others cannot.

Each failing rule is named in words a Product Owner acts on ("no acceptance criteria"), never as
a score: the point is to know what to fix before sprint planning.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import BacklogItem


@dataclass(frozen=True)
class DefinitionOfReady:
    needs_hypothesis: bool = True
    needs_acceptance_criteria: bool = True
    needs_dependencies_resolved: bool = True
    needs_estimate: bool = True
    split_threshold: float | None = 13


DEFAULT_DOR = DefinitionOfReady()


def points(value: float) -> str:
    """Story points as people write them: 5, 0.5, 1.5."""
    return f"{value:g}"


def gaps(item: BacklogItem, dor: DefinitionOfReady = DEFAULT_DOR) -> list[str]:
    """Every rule of `dor` the item fails, in words; empty when it is ready."""
    found: list[str] = []
    if dor.needs_hypothesis and not item.hypothesis.strip():
        found.append("no value hypothesis or description")
    if dor.needs_acceptance_criteria and not item.acceptance_criteria:
        found.append("no acceptance criteria")
    if dor.needs_dependencies_resolved:
        for dependency in item.dependencies:
            if not dependency.get("resolved"):
                found.append(f"depends on {dependency['text']}, not resolved")
    if item.estimate is None:
        if dor.needs_estimate:
            found.append("not estimated")
    elif dor.split_threshold is not None and item.estimate > dor.split_threshold:
        found.append(f"{points(item.estimate)} points: split it")
    return found


def is_ready(item: BacklogItem, dor: DefinitionOfReady = DEFAULT_DOR) -> bool:
    return not gaps(item, dor)
