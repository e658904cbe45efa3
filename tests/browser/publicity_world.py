"""Steps the publicity browser flows share (not collected: no test_ prefix)."""

from __future__ import annotations

# Every photo on the public page has arrived and decodes.
IMAGES_LOADED = (
    "Array.from(document.querySelectorAll('.public-activity img'))"
    ".every(i => i.complete && i.naturalWidth > 0)"
)


def publish_here(page, activity) -> None:
    """On an accepted activity's page, as the district: publish it (公开展示)."""
    with page.expect_navigation():  # the POST's redirect, not the page already idle
        page.click("#activity-publish")
    activity.refresh_from_db()
    assert activity.is_public


def public_cards(page, base: str):
    """The public page as anyone (cookies cleared): its activity cards, photos loaded."""
    page.context.clear_cookies()
    page.goto(f"{base}/public/publicity/")
    # The photos load lazily: "load" does not wait for them; their decoding is awaited.
    page.wait_for_function(IMAGES_LOADED, timeout=15_000)
    return page.locator(".public-activity")
