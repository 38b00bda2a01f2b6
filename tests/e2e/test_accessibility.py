"""Every page a person can reach passes axe-core, with no server error and no console error.

The pages are found, not listed: from each role's home page the tour follows every same-origin
link, breadth first, so a new page is checked as soon as something links to it. It runs on the
demo (`seed_demo`, every state of a cycle and a draft), at 1280 px wide;
the home pages, their opened menu and the survey page again at 390 px.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.test_survey_keyboard import tab_until
from tests.factories import PASSWORD, make_cycle, make_hr_admin

AXE = Path(__file__).resolve().parents[2] / "static/vendor/axe-core-4.14.1/axe.min.js"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
MAX_PAGES = 250  # the demo has about 220; a tour that passes this has found a family of pages without end
# Pages of one kind (one URL name: a concern, an action item, a scorecard) checked at most this many
# times: the same template in several states, without touring every row of the demo.
PER_KIND = 8
# Not pages: signing out (a POST anyway), Django's admin (not ours), downloads and the Atom feed.
# Not the portal's pages: the API's JSON schema, and the vendor documentation pages from
# drf-spectacular-sidecar (ReDoc: a blob worker and a CDN logo the CSP refuses; Swagger UI: its own
# contrast and nested buttons, which axe reports as serious). README's REST API section says so.
SKIP = re.compile(r"^/(accounts/logout/|admin/|recognition/feed/|api/schema/|api/redoc/|api/docs/)|\.(csv|xlsx)$")
BLOCKING = ("serious", "critical")
SURVEY = re.compile(r"^/surveys/\d+/$")

# The nodes of one page that fail a rule with an impact in `blocking`, each with its selector.
RUN_AXE = """async (blocking) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    rule: v.id,
    help: v.help,
    nodes: v.nodes.filter(n => blocking.includes(n.impact)).map(n => n.impact + " " + n.target.join(" ")),
  })).filter(v => v.nodes.length);
}"""


@dataclass
class Tour:
    """One person's visit: the pages seen and every problem met, each with the page it was on."""

    page: Page
    origin: str
    where: str = ""
    seen: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rules: Counter = field(default_factory=Counter)  # rule -> failing nodes, over every page

    def listen(self) -> None:
        self.page.on("console", self.on_console)
        self.page.on("pageerror", lambda error: self.problem(f"script error: {error}"))
        self.page.on("response", self.on_response)
        self.page.on("request", self.on_request)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problem(f"console error: {message.text}")

    def on_response(self, response: Response) -> None:
        if response.status >= 500 and not response.request.is_navigation_request():  # a page's own: in check()
            self.problem(f"{response.status} from {response.url}")

    def on_request(self, request: Request) -> None:
        # No page may load anything from another site (a CDN): every library is in static/vendor/.
        if not request.url.startswith((self.origin, "data:")):
            self.problem(f"loads {request.url}")

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.where}: {text}")

    def check(self, path: str, width: int) -> str | None:
        """Open `path`, check it, and return where it landed (None if it failed to load)."""
        self.where = f"{path} ({width} px)"
        response = self.page.goto(path)
        if response is None or response.status >= 400:
            self.problem(f"status {response.status if response else 'none'}")
            return None
        return self.key(self.page.url)

    def axe(self) -> None:
        for violation in self.page.evaluate(RUN_AXE, list(BLOCKING)):
            nodes = violation["nodes"]
            self.rules[violation["rule"]] += len(nodes)
            shown = "; ".join(nodes[:5]) + (f"; … {len(nodes) - 5} more" if len(nodes) > 5 else "")
            self.problem(f"{violation['rule']} ({violation['help']}) on {len(nodes)} nodes: {shown}")

    def current_in_nav(self) -> None:
        """A signed-in person's top bar says where they are: one link marked as the current page."""
        nav = self.page.locator("#main-nav")
        if nav.count():
            marked = nav.locator('[aria-current="page"]').count()
            if marked != 1:
                self.problem(f"{marked} links of the top bar are marked as the current page (aria-current), not one")

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        keys = (self.key(href) for href in hrefs if href.startswith(self.origin))
        return [key for key in keys if key and not SKIP.search(key.split("?")[0])]

    def key(self, url: str) -> str:
        """A page is its path with its query; the fragment is a place within it."""
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, home: str) -> None:
        """Breadth first from `home` over every same-origin link, each page once."""
        queue, queued = [home], {home}
        kinds: Counter = Counter()
        while queue:
            assert len(self.seen) < MAX_PAGES, f"more than {MAX_PAGES} pages: {self.seen[-20:]}"
            path = queue.pop(0)
            kind = resolve(path.split("?")[0]).view_name
            if kinds[kind] >= PER_KIND:
                continue
            kinds[kind] += 1
            landed = self.check(path, WIDE["width"])
            if landed is None or landed in self.seen:
                continue
            self.seen.append(landed)
            queued.add(landed)
            self.axe()
            self.current_in_nav()
            for link in self.links():
                if link not in queued:
                    queued.add(link)
                    queue.append(link)

    def narrow(self, home: str) -> None:
        """The home page, with its menu opened, and the survey page, on a phone."""
        self.page.set_viewport_size(NARROW)
        if self.check(home, NARROW["width"]) is None:
            return
        self.axe()
        toggler = self.page.locator(".navbar-toggler")
        if toggler.count():
            toggler.click()
            self.page.locator("#main-nav.show").wait_for()
            self.where += ", menu open"
            self.axe()
        for path in [p for p in self.seen if SURVEY.match(p)][:1]:
            if self.check(path, NARROW["width"]) is not None:
                self.axe()


def signed_in(page: Page, email: str, password: str) -> str:
    """Sign in through the form; return the home page it lands on."""
    page.goto("/accounts/login/")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page.url


# Who tours, and the fewest pages each must find (fewer means the tour lost its way).
ROLES = {"visitor": 3, "hr": 100, "head": 12, "employee": 10, "hr on a new install": 6}
DEMO = {"hr": "HR admin", "head": "Department head (IT)", "employee": "Employee (Sales)"}


def login_of(role: str, request) -> tuple[str, str] | None:
    """The email and password `role` signs in with; None for a visitor."""
    if role in DEMO:
        return request.getfixturevalue("demo")[DEMO[role]], DEMO_PASSWORD
    if role == "hr on a new install":  # nothing imported yet: every page shows its empty state
        return make_hr_admin("first.hr@example.com").email, PASSWORD
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_person_can_reach_has_no_serious_accessibility_violation(
    role, request, transactional_db, browser, live_server
):
    login = login_of(role, request)
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    # An init script, not add_script_tag: the pages' Content-Security-Policy (script-src 'self')
    # refuses inline scripts, and bypassing it would hide the pages' own breaches of it.
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    tour = Tour(page, origin=live_server.url)
    tour.listen()
    try:
        home = tour.key(signed_in(page, *login)) if login else "/accounts/login/"
        tour.crawl(home)
        tour.narrow(home)
    finally:
        context.close()

    rules = ", ".join(f"{rule}: {nodes}" for rule, nodes in tour.rules.most_common()) or "none"
    summary = f"{role}: {len(tour.seen)} pages; failing nodes by rule: {rules}"
    print(summary)
    assert len(tour.seen) >= ROLES[role], f"the tour found too few pages: {tour.seen}"
    if tour.problems:
        pytest.fail("\n".join([summary, *tour.problems]), pytrace=False)


# --- by keyboard: what axe cannot see --------------------------------------------------------------


def ring(locator) -> tuple[str, float]:
    """The focus ring drawn around an element: its outline ("solid 3px") and its contrast with white."""
    style, width, colour = locator.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    red, green, blue = (int(c) for c in re.findall(r"\d+", colour)[:3])

    def linear(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return f"{style} {width}", 1.05 / (luminance + 0.05)


def test_a_rating_choice_in_focus_has_a_strong_ring(page, org):
    cycle = make_cycle(org, status="open")
    signed_in(page, "outsider@example.com", PASSWORD)
    page.goto(f"/surveys/{cycle.pk}/")

    tab_until(page, "el.name === 'it-q_responsiveness'")
    page.keyboard.press("ArrowRight")
    choice = page.locator("input:focus + label")
    expect(choice).to_have_text("2 Poor")
    outline, contrast = ring(choice)
    assert outline == "solid 3px"
    assert contrast >= 3  # WCAG 1.4.11, against the white page


def test_a_keyboard_reaches_and_scrolls_the_heatmap_on_a_phone(page, demo):
    signed_in(page, demo["HR admin"], DEMO_PASSWORD)
    page.goto("/hr/results/")  # twelve departments: wider than a phone

    heatmap = page.get_by_role("region", name=re.compile(r"^Heatmap"))
    tab_until(page, "(el.getAttribute('aria-label') || '').startsWith('Heatmap')", limit=100)
    expect(heatmap).to_be_focused()
    assert ring(heatmap)[0] == "solid 3px"
    assert heatmap.evaluate("el => el.scrollWidth > el.clientWidth"), "the heatmap fits: nothing to scroll"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=heatmap.element_handle())  # arrows scroll it
