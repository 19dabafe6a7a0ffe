"""Issue 13 item 10 in Chromium: focus contrast, focus after delete, compare slider, cards, phone targets."""

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_studio_dead_ends import DESKTOP, PHONE, jpeg
from tests.images import drawn_tee, fixture_bytes, person_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """(el) => {
    const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const lum = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let node = el.parentElement, back = null;
    while (node) {
        const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length < 4 || c[3] > 0) { back = c; break; }
        node = node.parentElement;
    }
    back = back || [255, 255, 255];
    const style = getComputedStyle(el);
    if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
    const a = lum(rgb(style.outlineColor)), b = lum(back);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), label[for], summary')]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter((el) => !el.closest('p.lede, p.help, .skip-link, .card-image'))  // links in sentences; the card's picture
    .filter((el) => !(el.matches('input[type=radio], input[type=checkbox]') && el.labels && el.labels.length
                      && el.labels[0].getBoundingClientRect().height >= 44))
    .filter((el) => !(el.matches('label[for]') && el.control && el.control.getBoundingClientRect().height >= 44))
    .filter((el) => el.getBoundingClientRect().height < 44)
    .map((el) => {
        const name = (el.innerText || el.value || '').trim().slice(0, 30);
        return `${el.tagName.toLowerCase()}#${el.id} "${name}" ${Math.round(el.getBoundingClientRect().height)}px`;
    })"""


@pytest.fixture
def stylist(django_user_model, new_page):
    """A signed-in stylist with two finished try-ons (made through the real service and engine)."""
    from tests.images import load
    from tryon import services

    user = django_user_model.objects.create_user("sasha", password="pw-sasha-123")
    for _ in range(2):
        services.create_task(
            services.Owner(user=user),
            model_image=load(person_photo()),
            cloth_image=load(drawn_tee()),
            cloth_type="upper",
        )
    page = new_page(**DESKTOP)
    sign_in(page, "sasha", "pw-sasha-123")
    return page


def test_the_focus_outline_stands_out_on_every_background(new_page, screenshot):
    page = new_page(**DESKTOP)
    page.goto("/")
    page.set_input_files("#id_model_image", jpeg("back.jpg", fixture_bytes("person_back_view_1.jpg")))
    page.locator("#model-check .check-error").wait_for()
    # The panel's heading takes the focus once htmx settles the swap, a moment after the panel
    # shows: wait for it, or that late focus lands between focusing an element and measuring it.
    page.wait_for_function("document.activeElement && document.activeElement.matches('#model-check h3')")
    page.keyboard.press("Tab")
    for selector in (".brand", "#id_model_image", "#model-check button", "#model-check h3", ".site-header a"):
        element = page.locator(selector).first
        element.focus()
        ratio = element.evaluate(CONTRAST)
        assert ratio >= 3, f"{selector}: focus outline contrast {ratio:.2f}:1"
    page.locator("#model-check button").focus()
    screenshot(page, "13-10a-focus-outline-desktop")


def test_gallery_cards_name_the_garment_and_delete_keeps_focus(stylist, screenshot):
    page = stylist
    page.goto("/gallery/")
    cards = page.locator(".card")
    assert cards.count() == 2
    assert "Garment: a top" in cards.first.inner_text()
    # Lazy images don't hold up the page's load event: wait for it to finish loading, then see
    # that it did load (a broken image is complete too, with no width).
    garment = cards.first.locator(".card-garment img").element_handle()
    page.wait_for_function("img => img.complete", arg=garment)
    assert garment.evaluate("img => img.naturalWidth > 0")
    screenshot(page, "13-10b-gallery-desktop")
    second_title = cards.nth(1).locator(".card-title a").element_handle()
    page.once("dialog", lambda dialog: dialog.accept())
    cards.first.get_by_role("button", name="Delete").click()
    page.wait_for_function("document.querySelectorAll('.card').length === 1")
    assert second_title.evaluate("el => el === document.activeElement")
    page.set_viewport_size(PHONE)
    screenshot(page, "13-10b-gallery-phone")
    assert page.evaluate(SMALL_TARGETS) == []


def test_the_compare_slider_is_as_wide_as_the_picture(stylist, screenshot):
    page = stylist
    page.goto("/gallery/")
    page.locator(".card-title a").first.click()
    page.locator(".compare").wait_for()
    page.wait_for_function("[...document.querySelectorAll('.compare img')].every(i => i.complete)")
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        frame = page.locator(".compare-frame").bounding_box()
        caption = page.locator(".compare figcaption").bounding_box()
        assert abs(caption["width"] - frame["width"]) <= 2, (label, frame, caption)
        screenshot(page, f"13-10c-compare-{label}")
    assert page.evaluate(SMALL_TARGETS) == []


def test_phone_touch_targets_are_44px_and_warnings_come_first(new_page, screenshot):
    page = new_page(**PHONE)
    page.goto("/")
    page.set_input_files("#id_model_image", jpeg("yoga.jpg", fixture_bytes("person_yoga_fullbody.jpg")))
    warning = page.locator("#model-check .check-warning h3")
    warning.wait_for()
    bottom = warning.evaluate("el => el.getBoundingClientRect().bottom + window.scrollY")
    assert bottom <= PHONE["height"], f"the warning ends {bottom:.0f}px down the page"
    screenshot(page, "13-10d-studio-phone")
    assert page.evaluate(SMALL_TARGETS) == []
