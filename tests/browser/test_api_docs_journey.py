"""The API documentation page works offline and under the production Content-Security-Policy:
Swagger UI's script and style come from Parcours' own static files (django-ninja's), no inline
script; and the branded 404 page is what a person sees for an unknown address."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, Route, expect


def test_swagger_ui_renders_offline_under_the_csp(page: Page, live_url: str, settings) -> None:
    settings.CONTENT_SECURITY_POLICY = settings.CSP_POLICY
    outside: list[str] = []
    violations: list[str] = []

    def offline(route: Route) -> None:
        if route.request.url.startswith(live_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.route("**/*", offline)
    page.on("console", watch)
    response = page.goto(f"{live_url}/api/v1/docs")
    assert response is not None and "script-src 'self'" in response.headers.get(
        "content-security-policy", ""
    )
    expect(page.get_by_role("heading", name="Parcours API")).to_be_visible()
    expect(page.get_by_text("/api/v1/sessions/{session_id}").first).to_be_visible()
    assert outside == [] and violations == []


def test_an_unknown_address_shows_the_branded_404(page: Page, live_url: str) -> None:
    response = page.goto(f"{live_url}/nulle-part/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("link", name="Le catalogue des modules")).to_be_visible()
