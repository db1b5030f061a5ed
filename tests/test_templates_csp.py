"""No template carries code the Content-Security-Policy would block (issue #10).

Production sends ``script-src 'self'``: an inline ``<script>``, an ``on…=`` attribute, an
``hx-on`` attribute or a ``javascript:`` URL would silently stop working there. Page behaviours
are data attributes read by ``static/js/parcours.js`` (docs/deployment.md).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(
    p
    for p in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("parcours/*/templates/**/*.html")]
    if ".venv" not in p.parts
)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 100


def problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    for attributes in SCRIPT.findall(text):
        data_only = re.search(r"type\s*=\s*[\"']application/(ld\+)?json[\"']", attributes)
        if "src=" not in attributes and not data_only:
            found.append(f"inline <script{attributes}>")
    found += [f"inline handler {m.group(1)}=" for m in INLINE_HANDLER.finditer(text)]
    found += ["javascript: URL" for _m in JS_URL.finditer(text)]
    return found


def test_no_template_has_inline_code() -> None:
    bad = {str(p.relative_to(ROOT)): problems(p) for p in TEMPLATES if problems(p)}
    assert bad == {}


def test_the_check_sees_inline_code(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<script>alert(1)</script><a onclick="x()" href="javascript:y()">', "utf-8")
    assert len(problems(page)) == 3
    page.write_text('<script src="/s.js"></script><script type="application/json">{}</script>')
    assert problems(page) == []
