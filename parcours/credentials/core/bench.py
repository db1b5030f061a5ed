"""Throughput of sign / verify on a typical OB 3.0 credential.

python -m parcours.credentials.core.bench [--seconds 3] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parcours.credentials.core.canonical import canonicalize
from parcours.credentials.core.multikey import did_key_verification_method
from parcours.credentials.core.proof import sign, verify

TYPICAL = Path(__file__).parent / "tests" / "vectors" / "ob3-typical-credential.json"


def _credential(template: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(json.dumps(template))
    document["id"] = f"urn:uuid:{uuid.uuid4()}"
    document["credentialSubject"]["id"] = f"did:example:{uuid.uuid4().hex}"
    return document


def _run(kind: str, seconds: float) -> tuple[int, float]:
    template = json.loads(TYPICAL.read_text(encoding="utf-8"))
    key = Ed25519PrivateKey.generate()
    method = did_key_verification_method(key.public_key())
    keys = {method: key.public_key()}.get
    signed = sign(_credential(template), key, method, datetime.now(UTC))
    canonicalize(template)  # warm the context caches
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        if kind == "canonicalize":
            canonicalize(_credential(template))
        elif kind == "sign":
            sign(_credential(template), key, method, datetime.now(UTC))
        else:
            result = verify(signed, keys)
            if not result.valid:
                raise RuntimeError(result)
        count += 1
    return count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    for kind in ("canonicalize", "sign", "verify"):
        count, elapsed = _run(kind, args.seconds)
        line = f"{kind:>12}: {count / elapsed:7.1f}/s in 1 process"
        if args.processes > 1:
            with ProcessPoolExecutor(args.processes) as pool:
                jobs = [kind] * args.processes, [args.seconds] * args.processes
                results = list(pool.map(_run, *jobs))
            total = sum(count / elapsed for count, elapsed in results)
            line += f", {total:7.1f}/s in {args.processes} processes"
        print(line)


if __name__ == "__main__":
    main()
