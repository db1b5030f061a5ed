"""A ``task_worker`` whose badge issuance stalls after signing, before storing (run as a
script by ``test_worker_death``: the test kills it with SIGKILL there)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from parcours.credentials import actions

    marker = Path(os.environ["STALL_MARKER"])

    def stalled(prepared: Any, texts: Any) -> Any:
        marker.write_text(str(os.getpid()))  # slot reserved, document signed, nothing stored
        while True:
            time.sleep(1)

    actions._with_documents = stalled
    call_command(
        "task_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", verbosity=0
    )
