"""What makes a size chart usable for size advice, as plain checks (no Django).

The size advice (tryon/sizing.py) compares a shopper's body with each size's row and refuses a
chart it cannot read; the admin runs these checks on save so a store admin hears about a bad
chart at once, in words, instead of shoppers silently getting no advice.
"""

from __future__ import annotations

ZONES = (("chest", "chest"), ("waist", "waist"), ("hips", "hips"), ("length", "length"))


def chart_problems(rows: list[dict], size_order: list[str]) -> list[str]:
    """Return what is wrong with ``rows`` (``{"size", "chest", "waist", "hips", "length"}``, cm or None).

    Each measurement must be given for every size or for none, and grow from each size to the next
    larger one (in ``size_order``); a size may appear once.
    """
    problems: list[str] = []
    sizes = [r["size"] for r in rows]
    twice = sorted({s for s in sizes if sizes.count(s) > 1}, key=lambda s: size_order.index(s) if s in size_order else 99)
    if twice:
        problems.append(f"Size {', '.join(twice)} is listed more than once.")
        return problems
    ordered = sorted(rows, key=lambda r: size_order.index(r["size"]) if r["size"] in size_order else len(size_order))
    for key, name in ZONES:
        given = [r for r in ordered if r.get(key) is not None]
        if not given:
            continue
        if len(given) != len(ordered):
            lacking = ", ".join(r["size"] for r in ordered if r.get(key) is None)
            problems.append(f"The {name} is missing for {lacking}: give it for every size or for none "
                            "(size advice only uses a measurement every size has).")
            continue
        for small, large in zip(ordered, ordered[1:]):
            if float(large[key]) <= float(small[key]):
                problems.append(f"The {name} must grow from size to size: {small['size']} is {float(small[key]):g} cm, "
                                f"{large['size']} is {float(large[key]):g} cm.")
                break
    return problems
