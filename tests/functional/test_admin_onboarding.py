"""The admin's "Create try-on garment from photo" in headless Chromium, then the garment on the live page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from catalog.models import GarmentDraft, GarmentOverlay
from tests import ROOT
from tests.functional.conftest import PageProblems, screenshot
from tests.functional.test_live_tryon import TORSO_PROBE, wait_tracking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = ROOT / "catalog" / "demo_photos" / "camp_shirt_front.jpg"
PREVIEW_TIMEOUT = 30_000


def _login(page, live_server):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "a-long-test-password")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def _previews(page):
    return page.evaluate("() => [...document.querySelectorAll('#fr-previews img')].map(i => i.src)")


def test_admin_onboards_a_photo_drags_an_anchor_saves_and_the_shopper_tries_it_on(
        live_server, browser, camera_browser, make_product):
    product = make_product(slug="bandana-shirt", name="Bandana Shirt")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = PageProblems(page)
    _login(page, live_server)

    page.goto(f"{live_server.url}/admin/catalog/product/{product.pk}/change/")
    page.click("text=Create try-on garment from photo")
    page.set_input_files("#id_photo", str(PHOTO))
    page.click("input[type=submit][value='Cut out and find anchors']")
    page.wait_for_selector("#fr-editor-svg")
    draft = GarmentDraft.objects.get(product=product)
    assert draft.kind == "tshirt" and draft.needs_review == []
    assert page.input_value("#fr-kind") == "tshirt"
    page.wait_for_function("() => document.querySelector('#fr-previews').dataset.version === '1'", timeout=PREVIEW_TIMEOUT)
    first = _previews(page)
    assert len(first) == 3 and all(src.startswith("data:image/jpeg;base64,") for src in first)
    screenshot(page, "admin-onboarding-proposed")

    # Drag the wearer's right hip 10 screen px outward and 30 down: the preview follows.
    box = page.locator("[data-anchor='right_hip'] circle.fr-dot").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 5, y + 15, steps=4)
    page.mouse.move(x - 10, y + 30, steps=4)
    page.mouse.up()
    page.wait_for_function("() => Number(document.querySelector('#fr-previews').dataset.version) >= 2", timeout=PREVIEW_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('#fr-preview-status').textContent.includes('updating')",
                           timeout=PREVIEW_TIMEOUT)
    assert page.is_hidden("#fr-problems"), page.inner_text("#fr-problems")
    after = _previews(page)
    assert len(after) == 3 and after != first
    status = page.inner_text("#fr-preview-status")
    assert status.startswith("updated in "), status
    moved = page.evaluate("() => JSON.parse(document.querySelector('#fr-anchors-input').value).right_hip")
    assert moved[0] < draft.anchors["right_hip"][0] - 5 and moved[1] > draft.anchors["right_hip"][1] + 20
    screenshot(page, "admin-onboarding-dragged")

    # On a tablet: the same editor, dragged with a finger (touch pointer events).
    tablet = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True,
                                 device_scale_factor=2, storage_state=context.storage_state())
    touch = tablet.new_page()
    touch_problems = PageProblems(touch)
    touch.goto(page.url)
    touch.wait_for_function("() => document.querySelector('#fr-previews').dataset.version === '1'", timeout=PREVIEW_TIMEOUT)
    screenshot(touch, "admin-onboarding-tablet")
    before = touch.evaluate("() => JSON.parse(document.querySelector('#fr-anchors-input').value).left_elbow")
    touch.evaluate("""() => {
      const g = document.querySelector("[data-anchor='left_elbow']"), r = g.querySelector('circle.fr-dot').getBoundingClientRect();
      const x = r.x + r.width / 2, y = r.y + r.height / 2;
      const ev = (type, dx, dy) => g.dispatchEvent(new PointerEvent(type, {pointerId: 7, pointerType: 'touch', isPrimary: true,
        bubbles: true, clientX: x + dx, clientY: y + dy}));
      ev('pointerdown', 0, 0); ev('pointermove', 8, 6); ev('pointermove', 16, 12); ev('pointerup', 16, 12);
    }""")
    touch.wait_for_function("() => Number(document.querySelector('#fr-previews').dataset.version) >= 2", timeout=PREVIEW_TIMEOUT)
    after_touch = touch.evaluate("() => JSON.parse(document.querySelector('#fr-anchors-input').value).left_elbow")
    assert after_touch[0] > before[0] + 3 and after_touch[1] > before[1] + 3, (before, after_touch)
    touch_problems.assert_clean()
    tablet.close()

    page.click("#fr-save")
    page.wait_for_url(f"{live_server.url}/admin/catalog/product/{product.pk}/change/")
    assert "was saved from the photo" in page.inner_text(".messagelist")
    overlay = GarmentOverlay.objects.get(product=product)
    assert overlay.kind == "tshirt"
    assert overlay.anchors["right_hip"] == [round(moved[0]), round(moved[1])]
    assert not GarmentDraft.objects.filter(product=product).exists()
    problems.assert_clean()
    context.close()

    # The shopper: the new garment on the live page, on the device, on the torso.
    shopper = camera_browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    live = shopper.new_page()
    live_problems = PageProblems(live)
    live.goto(f"{live_server.url}/p/{product.slug}/try/")
    wait_tracking(live)
    probe = live.evaluate(TORSO_PROBE)
    assert probe["covered"] > 0.85, probe
    r, g, b = probe["mean"]
    assert b > r + 20, probe  # the bandana shirt is blue
    screenshot(live, "admin-onboarded-live")
    live_problems.assert_clean()
    shopper.close()
