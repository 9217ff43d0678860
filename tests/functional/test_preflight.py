"""Preflight in a real browser: an app's built-in browser is told to open the page elsewhere."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.functional.conftest import PageProblems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEE = "essential-crew-tee-white"
INSTAGRAM_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram 309.1.0.41.113 Android (33/13; 480dpi; "
    "1080x2176; samsung; SM-G991B; o1s; exynos2100; en_GB; 541635890)"
)


@pytest.fixture
def demo_store(settings):
    call_command("load_demo_store", verbosity=0)


def test_an_in_app_browser_gets_the_way_out_and_can_still_try(live_server, demo_store, camera_browser):
    context = camera_browser.new_context(user_agent=INSTAGRAM_ANDROID, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        problems = PageProblems(page)
        page.goto(f"{live_server.url}/p/{TEE}/try/")
        page.wait_for_function("() => document.querySelector('[data-tryon]').dataset.state === 'preflight:in-app'")
        text = page.inner_text("[data-message]")
        assert "Instagram's built-in browser usually cannot use the camera" in text and "Open this page in Chrome" in text
        assert page.get_attribute("[data-preflight] a", "href").endswith(f"/p/{TEE}/#photo-tryon")
        # The camera was not asked for: nothing is tracking, no frames were analysed.
        assert page.evaluate("() => window.fittingRoomStats.detectFrames") == 0
        page.click("[data-try-anyway]")
        page.wait_for_function("() => window.fittingRoomStats.state === 'tracking'", timeout=60_000)
        assert page.is_hidden("[data-preflight]")
        problems.assert_clean()
    finally:
        context.close()
