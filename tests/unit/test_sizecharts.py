"""Size-chart checks (catalog/sizecharts.py), as the admin runs them on save."""

from __future__ import annotations

from catalog.sizecharts import chart_problems

ORDER = ["XS", "S", "M", "L", "XL", "XXL"]


def _rows(**zones):
    sizes = ["S", "M", "L"]
    return [{"size": s, **{z: (v[i] if v else None) for z, v in zones.items()}} for i, s in enumerate(sizes)]


def test_a_consistent_chart_has_no_problem():
    assert chart_problems(_rows(chest=[88, 96, 104], waist=[72, 80, 88], hips=None, length=None), ORDER) == []
    assert chart_problems([], ORDER) == []


def test_rows_in_any_order_are_read_smallest_first():
    rows = list(reversed(_rows(chest=[88, 96, 104], waist=None, hips=None, length=None)))
    assert chart_problems(rows, ORDER) == []


def test_a_measurement_that_does_not_grow_is_named_with_both_sizes():
    problems = chart_problems(_rows(chest=[88, 96, 94], waist=None, hips=None, length=None), ORDER)
    assert problems == ["The chest must grow from size to size: M is 96 cm, L is 94 cm."]


def test_a_measurement_missing_for_some_sizes_is_named():
    problems = chart_problems(_rows(chest=[88, 96, 104], waist=[72, None, 88], hips=None, length=None), ORDER)
    assert problems == ["The waist is missing for M: give it for every size or for none "
                        "(size advice only uses a measurement every size has)."]


def test_a_size_listed_twice_is_refused():
    rows = _rows(chest=[88, 96, 104], waist=None, hips=None, length=None) + [{"size": "M", "chest": 97}]
    assert chart_problems(rows, ORDER) == ["Size M is listed more than once."]
