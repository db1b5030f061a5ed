"""Browser fixtures: Playwright's sync API driving the system Chromium (no downloads).

Chromium is ``$PARCOURS_CHROMIUM`` when set, else ``/usr/bin/chromium``, else ``chromium``,
``chromium-browser`` or ``google-chrome`` on PATH. When Chromium or Playwright is missing the
browser tests are skipped with the reason, except when ``CI`` is true: then they fail.

Every test in this directory is marked ``browser`` and gets a transactional database (the
live server runs in another thread, so the data must be committed). Screenshots of failing
tests are saved in ``var/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

HERE = Path(__file__).resolve().parent
SCREENSHOT_DIR = HERE.parent.parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
]
DEFAULT_TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip (on a developer machine) or fail (in CI) because the browser cannot run."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """``$PARCOURS_CHROMIUM`` when set (and only it), else the usual places."""
    override = os.environ.get("PARCOURS_CHROMIUM", "")
    if override:
        return override if os.access(override, os.X_OK) else None
    candidates = ["/usr/bin/chromium"]
    candidates += [
        shutil.which(name) or "" for name in ("chromium", "chromium-browser", "google-chrome")
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True))


_reports_key = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Remember each phase's outcome so ``page`` can take a screenshot when the test failed.
    item.stash.setdefault(_reports_key, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the machine
        unavailable(f"Playwright is not installed ({exc})")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        unavailable(
            "Chromium not found (looked at $PARCOURS_CHROMIUM, /usr/bin/chromium and PATH; "
            "Debian: apt-get install chromium)"
        )
    try:
        browser = playwright_instance.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # pragma: no cover - depends on the machine
        unavailable(f"Chromium at {executable} did not start: {exc}")
    yield browser
    browser.close()


@pytest.fixture
def live_url(live_server: Any, transactional_db: None) -> str:
    """Base URL of the live server (no trailing slash), e.g. ``http://localhost:41234``."""
    return str(live_server.url).rstrip("/")


def _slug(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:150]


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest
) -> Generator[Callable[..., Page], None, None]:
    """``new_page(**context_options)``: a page in a fresh context (cookies, storage).

    Defaults: locale fr-BE, 1280x800. Use it for a second person in the same test, e.g.
    ``other = new_page()``. Contexts are closed, and screenshotted on failure, after the test.
    """
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        settings: dict[str, Any] = {"locale": "fr-BE", "viewport": DESKTOP}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make

    reports = request.node.stash.get(_reports_key, {})
    failed = any(report.failed for report in reports.values())
    for index, context in enumerate(contexts):
        if failed:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(context.pages):
                name = f"{_slug(request.node.nodeid)}-{index}-{number}.png"
                try:
                    page.screenshot(path=str(SCREENSHOT_DIR / name), full_page=True)
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"screenshot {name} failed: {exc}")
                else:
                    print(f"screenshot: {SCREENSHOT_DIR / name}")
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """Desktop page (1280x800, locale fr-BE) in its own browser context."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """Phone-sized page (390x844, touch, mobile viewport), locale fr-BE."""
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
