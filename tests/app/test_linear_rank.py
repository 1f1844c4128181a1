# ruff: noqa: F811  (the fixtures are imported from the Linear client's tests)
"""The Linear client's ``rank`` (a reorder made in Timebox, written as the issue's
``sortOrder``) against the Linear emulator, as a team reorders its backlog over months."""

from __future__ import annotations

from tests.app.test_linear_client import linear, make_client  # noqa: F401


async def test_sixty_items_moved_to_second_place_keep_their_order(linear, make_client):
    """The PO puts each new item second, right under the top one, sixty times over the
    months (each a ``sortOrder`` halfway between the top issue and the one put there last).
    Proves Linear's manual order is exactly Timebox's after every move: halving the gap sixty
    times runs out of a float's precision, and a move must then make room, not tie with a
    neighbour (whose order Linear then settles by id)."""
    top, *rest = linear.seed(3)
    client = make_client()
    placed: list[str] = []

    for n in range(60):
        key = linear.add_issue(f"Expedite {n}").identifier
        await client.rank(key, after=top)
        placed.insert(0, key)
        assert linear.open_keys() == [top, *placed, *rest], f"after move {n + 1}"
