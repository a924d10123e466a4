"""The pages in a real headless browser (Debian's chromium, driven by playwright): what a
person sees after logging in, the run of the demo pipeline, and a graph of 502 nodes that
can still be moved around, zoomed and searched.

`make test` installs chromium when it is missing (see the Makefile); playwright never
downloads a browser of its own here: it drives the one at `DATLAKE_CHROMIUM` or on PATH.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from ..server.datlake_e2e import API_KEY
from .pipeline import HOSTILE

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("DATLAKE_CHROMIUM") or shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs it)")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: chromium refuses its sandbox as root (CI runs as root)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object, recorded: tuple[str, dict[str, str]]) -> Iterator[object]:
    """A fresh browser tab, signed in through the login form; fails on a script error."""
    context = chromium.new_context(base_url=recorded[0], viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto("/")
    sync_api.expect(tab.get_by_role("heading", name="Log in")).to_be_visible()
    tab.get_by_label("API key").fill(API_KEY)
    tab.get_by_role("button", name="Log in").click()
    sync_api.expect(tab.get_by_role("heading", name="Jobs and tables")).to_be_visible()
    yield tab
    context.close()
    assert errors == [], errors
    assert dialogs == [], f"a script of the data ran: {dialogs}"


def test_a_person_finds_the_run_its_edges_and_its_log(
    page: object, recorded: tuple[str, dict[str, str]]
) -> None:
    tab = page
    expect = sync_api.expect
    assert "datlake_session" in {c["name"] for c in tab.context.cookies() if c["httpOnly"]}
    assert API_KEY not in tab.url
    jobs = tab.locator("#jobs")
    expect(jobs.get_by_role("link", name="daily_users", exact=True)).to_be_visible()
    jobs.get_by_role("link", name="daily_users", exact=True).click()
    expect(tab.get_by_role("heading", name="Runs of daily_users")).to_be_visible()
    expect(tab.locator("td .status.succeeded")).to_have_text("succeeded")
    tab.locator("td a[href*='/runs/']").first.click()

    run_id = recorded[1]["daily"]
    expect(tab.get_by_role("heading", name=f"Run daily_users/{run_id[-8:]}")).to_be_visible()
    expect(tab.locator("#inputs").get_by_role("link", name="users_raw")).to_be_visible()
    expect(tab.locator("#outputs").get_by_role("link", name="users_curated")).to_be_visible()
    expect(tab.locator("#artifacts")).to_contain_text(recorded[1]["log"])
    expect(tab.locator("#metrics")).to_contain_text("rows_written")
    # the hostile text of the data is shown as text, not run as markup
    expect(tab.locator("#events")).to_contain_text(HOSTILE)
    expect(tab.locator(".facts")).to_contain_text(HOSTILE.replace('"', '\\"'))
    assert tab.locator("main img, main script").count() == 0

    with tab.expect_download() as download:
        tab.locator("#artifacts a").click()
    assert download.value.suggested_filename == "run.log"


def test_the_lineage_graph_opens_the_pages_of_its_nodes(page: object) -> None:
    tab = page
    expect = sync_api.expect
    tab.get_by_label("Names starting with").fill("users_")
    tab.get_by_role("button", name="Search").click()
    tab.locator("#tables").get_by_role("link", name="users_curated", exact=True).click()
    graph = tab.locator("svg#lineage")
    expect(graph).to_be_visible()
    names = [n.get_attribute("data-name") for n in graph.locator(".node").all()]
    assert sorted(name.split("/")[0] for name in names) == [
        "daily_users", "ingest_users", "users_curated", "users_raw",
    ]  # fmt: skip
    run_node = graph.locator(".node.run.succeeded", has_text="daily_users")
    expect(run_node).to_be_visible()
    run_node.click()
    expect(tab.get_by_role("heading", name="Run daily_users/")).to_be_visible()


def test_a_graph_of_502_nodes_stays_navigable(page: object) -> None:
    tab = page
    expect = sync_api.expect
    tab.goto("/tables/hub")
    graph = tab.locator("svg#lineage")
    expect(graph.locator(".node")).to_have_count(502)
    expect(graph.locator(".edge")).to_have_count(501)
    expect(tab.locator(".count")).to_contain_text("502 nodes")
    # it opens on the root, readable: the root's box is on screen at a usable size
    root = graph.locator(".node.root rect")
    box = root.bounding_box()
    screen = tab.locator("#graph").bounding_box()
    assert box is not None
    assert screen is not None
    assert box["width"] > 100, box
    assert _inside(box, screen)

    start = graph.get_attribute("viewBox")
    tab.mouse.move(screen["x"] + screen["width"] / 2, screen["y"] + screen["height"] / 2)
    tab.mouse.wheel(0, 400)  # zoom out
    expect(graph).not_to_have_attribute("viewBox", start)
    # find a far node by name: the view moves to it and marks it
    tab.get_by_label("Find").fill("out_249")
    found = graph.locator(".node.found")
    expect(found).to_have_count(1)
    found_box = found.locator("rect").bounding_box()
    assert found_box is not None
    assert _inside(found_box, screen), (found_box, screen)
    # and drag: the view pans
    before = graph.get_attribute("viewBox")
    tab.mouse.move(screen["x"] + 40, screen["y"] + 40)
    tab.mouse.down()
    tab.mouse.move(screen["x"] + 240, screen["y"] + 140, steps=5)
    tab.mouse.up()
    expect(graph).not_to_have_attribute("viewBox", before)
    tab.get_by_role("button", name="Fit").click()
    found.click()
    expect(tab.get_by_role("heading", name="Table out_249")).to_be_visible()


def _inside(box: dict[str, float], screen: dict[str, float]) -> bool:
    return (
        screen["x"] <= box["x"] + box["width"] / 2 <= screen["x"] + screen["width"]
        and screen["y"] <= box["y"] + box["height"] / 2 <= screen["y"] + screen["height"]
    )
