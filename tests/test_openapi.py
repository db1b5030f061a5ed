"""The OpenAPI document is part of the contract: a change must be deliberate.

Regenerate after an intended API change with ``UPDATE_SNAPSHOTS=1 pytest tests/test_openapi.py``
and commit ``docs/openapi.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.test import Client

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_openapi_document_matches_the_committed_snapshot(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    current = response.json()
    rendered = json.dumps(current, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert current == committed, (
        "The API changed. If intended, regenerate docs/openapi.json with "
        "UPDATE_SNAPSHOTS=1 pytest tests/test_openapi.py"
    )


def test_api_docs_page_is_served(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 200
