"""The 持证率 ranking pages through many enterprises with page numbers (issue #8 §11).

It showed "‹ 1 ›" whatever the count: a reader of 97 pages could not see where
they were nor jump. Pin the expected links to Django's own elided range
(1 2 … 4 5 [6] 7 8 … 11 12 style, one page at each end, two around the current).
"""

import re

import pytest
from django.urls import reverse

from xuanpei.orgs.factories import EnterpriseFactory
from xuanpei.workforce import views_compliance
from xuanpei.workforce.factories import PostFactory


@pytest.fixture
def twelve_pages(district, monkeypatch):
    monkeypatch.setattr(views_compliance, "RANKING_PER_PAGE", 1)
    for n in range(10):
        ent = EnterpriseFactory(
            name=f"排名企业{n:02d}", unit=district.street_a, sector=district.sector
        )
        PostFactory(enterprise=ent)
    for ent in (district.ent_a1, district.ent_a2):
        PostFactory(enterprise=ent)
    return district


def ranking_pager(body: str) -> str:
    start = body.index('id="ranking"')
    return body[start : body.index("</nav>", start)]


def test_the_ranking_pager_shows_page_numbers_ellipses_and_where_you_are(twelve_pages, client):
    client.force_login(twelve_pages.district)
    response = client.get(reverse("workforce:compliance_dashboard") + "?page=6")
    pager = ranking_pager(response.content.decode())
    assert "第 6 / 12 页" in pager
    numbers = re.findall(r"class=\"page-link\"[^>]*>(\d+|…)<", pager)
    assert numbers == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert 'aria-current="page"><span class="page-link">6<' in pager
    # Each number is a link to its page, keeping the anchor so the page opens at the ranking.
    assert "?page=4#ranking" in pager and "?page=12#ranking" in pager


def test_a_single_page_ranking_shows_no_pager_links(district, client):
    PostFactory(enterprise=district.ent_a1)
    client.force_login(district.district)
    pager = ranking_pager(client.get(reverse("workforce:compliance_dashboard")).content.decode())
    assert "page=" not in pager
