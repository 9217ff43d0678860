"""A shopper browses the demo store on a phone-sized screen in headless Chromium."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browse_catalog_and_open_product(live_server, mobile_page):
    page, problems = mobile_page
    call_command("load_demo_store", verbosity=0)

    page.goto(live_server.url + "/")
    cards = page.locator(".product-card")
    assert cards.count() >= 10
    # Every visible thumbnail really loaded (a broken image has naturalWidth 0).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.product-card img')].slice(0, 4).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "horizontal overflow on a phone"
    screenshot(page, "catalog")

    # Filter by a category, then search.
    page.get_by_role("navigation", name="Categories").get_by_role("link", name="Bottoms").click()
    page.wait_for_url("**/?category=bottoms")
    assert page.locator(".product-card").count() >= 2
    page.fill("#q", "stripe")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=stripe")
    assert page.locator(".product-card").count() >= 1

    page.goto(live_server.url + "/")
    first = cards.first
    name = first.locator(".card-name").inner_text()
    first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == name
    page.wait_for_function("() => { const i = document.querySelector('.gallery img'); return i && i.complete && i.naturalWidth > 0; }")
    try_on = page.get_by_role("link", name="Try it on")
    assert try_on.is_visible()
    box = try_on.bounding_box()
    assert box["height"] >= 44, "tap target too small"
    assert page.locator(".size").count() >= 3
    screenshot(page, "product")
    problems.assert_clean()
