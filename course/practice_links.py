"""Put a "실습해보기" (try it) link under each lesson figure that has a guided scenario on the live cluster.

The section HTML is rendered once at import; which scenarios exist is data (fixtures, the admin), so the
links are added when the page is served. A scenario links from a figure only when it belongs to the same
lesson (`Scenario.lesson`) and names that figure's number (`Scenario.diagram_number`); figure 3 of another
lesson is another picture.
"""

from __future__ import annotations

import html
import re

FIGCAPTION_OF = r'(<figure class="diagram" id="diagram-{n}" data-diagram="{n}">.*?</figcaption>)'


def links_for(lesson) -> dict[int, tuple[str, str]]:
    """Return figure number → (scenario URL, scenario title) for the scenarios of `lesson` (a Lesson).

    When two scenarios of the lesson name the same figure, the first in the scenarios' order (order, slug)
    gets the link.
    """
    from visualizer.models import Scenario

    links: dict[int, tuple[str, str]] = {}
    rows = Scenario.objects.filter(lesson=lesson, diagram_number__isnull=False).only(
        "slug", "title", "diagram_number"
    )
    for scenario in rows:
        links.setdefault(scenario.diagram_number, (scenario.get_absolute_url(), scenario.title))
    return links


def add_practice_links(body_html: str, links: dict[int, tuple[str, str]]) -> str:
    """Return the HTML with a link after the caption of figure N for each N → (url, scenario title)."""
    for number, (url, title) in sorted(links.items()):
        pattern = re.compile(FIGCAPTION_OF.format(n=number), re.DOTALL)
        link = (
            f'<a class="try-it" href="{html.escape(url)}" data-scenario-for="{number}">'
            f'<span aria-hidden="true">▶</span> 실습해보기 <span class="en">Try it</span>'
            f'<span class="visually-hidden">: {html.escape(title)}</span></a>'
        )
        body_html = pattern.sub(lambda m, link=link: m.group(1) + link, body_html, count=1)
    return body_html
