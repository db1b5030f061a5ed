"""pytest plugin loaded before anything else (pyproject: ``-p scripts.pytest_testing_env``).

pytest-django imports the settings before any conftest.py runs, so the environment the
settings read in tests must be set here: ``PARCOURS_TESTING`` (insecure dev key, fast password
hashing, cookies without ``Secure``) and ``DJANGO_ALLOW_ASYNC_UNSAFE`` (Playwright's sync API
runs an event loop in the main thread). Values already in the environment win.
"""

from __future__ import annotations

import os

os.environ.setdefault("PARCOURS_TESTING", "true")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
