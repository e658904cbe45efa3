"""Follow a persona through the rendered pages, as a person clicking would (issue #8 §3, §4).

`crawl(client)` starts at the home page and follows every same-site link (`<a href>`,
`hx-get`) breadth-first a few levels deep, fetching at most a few URLs per URL name
(one enterprise detail stands for all). It records every URL name a link points to
and every action a page offers: links, htmx calls and forms (method + action).
Nothing is posted here; the role test decides what to do with the POST actions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/")


@dataclass(frozen=True)
class Offer:
    """Something a page offers: a link to GET or a form/htmx call to submit."""

    method: str  # "get" or "post"
    url: str  # path?query
    name: str | None  # resolved URL name, None when the path resolves to nothing
    page: str  # where it was offered
    label: str = ""


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.offers: list[tuple[str, str, str]] = []  # (method, raw url, label)
        self._form: list[tuple[str, str]] = []
        self._text: list[str] | None = None
        self._pending: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._pending = ("get", a["href"])
            self._text = []
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = a.get("action") or ""
            self.offers.append((method, action or "", "form"))
        for attr, method in (("hx-get", "get"), ("hx-post", "post")):
            if a.get(attr):
                self.offers.append((method, a[attr], attr))

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._pending is not None:
            method, href = self._pending
            self.offers.append((method, href, "".join(self._text or []).strip()))
            self._pending, self._text = None, None


def url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def page_offers(html: str, page_url: str) -> list[Offer]:
    parser = _PageParser()
    parser.feed(html)
    offers = []
    for method, raw, label in parser.offers:
        if raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = urljoin("http://testserver" + page_url, raw)
        parts = urlsplit(absolute)
        if parts.netloc != "testserver" or parts.path.startswith(SKIPPED_PREFIXES):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        offers.append(Offer(method, url, url_name(parts.path), page_url, label))
    return offers


@dataclass
class Crawl:
    fetched: dict[str, int] = field(default_factory=dict)  # url → status
    offers: list[Offer] = field(default_factory=list)
    bodies: dict[str, str] = field(default_factory=dict)  # url → HTML of fetched pages

    @property
    def linked_names(self) -> set[str]:
        """URL names some page links to (GET), fetched or not."""
        return {o.name for o in self.offers if o.method == "get" and o.name}


def crawl(client, *, start: str = "/", depth: int = 3, per_name: int = 2) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    per: dict[str | None, int] = {}
    seen = {start}
    while queue:
        url, level = queue.popleft()
        response = client.get(url)
        result.fetched[url] = response.status_code
        if response.status_code in (301, 302) and level < depth:
            target = response["Location"]
            if target not in seen and not target.startswith(("http:", "https:")):
                seen.add(target)
                queue.appendleft((target, level))
            continue
        if response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        result.bodies[url] = html
        offers = page_offers(html, url)
        result.offers.extend(offers)
        if level >= depth:
            continue
        for offer in offers:
            if offer.method != "get" or offer.url in seen or offer.name is None:
                continue
            if offer.name == "accounts:logout" or per.get(offer.name, 0) >= per_name:
                continue
            per[offer.name] = per.get(offer.name, 0) + 1
            seen.add(offer.url)
            queue.append((offer.url, level + 1))
    return result
