"""Short codes that children type on a tablet: class codes and quiz-result codes.

Pure Python, no Django. The alphabet leaves out the characters that are easily mixed up when
read aloud or written on a board: 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V. What a pupil types is
normalised (case, spaces, dashes) before it is looked up.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "ACEFGHJKMNPRTWXY34679"
LENGTH = 6
_ALLOWED = frozenset(ALPHABET)
_SEPARATORS = str.maketrans("", "", " -_.\t")


def generate(length: int = LENGTH, choice: Callable[[str], str] = secrets.choice) -> str:
    """A random code of ``length`` characters of :data:`ALPHABET` (cryptographic by default)."""
    if length < 1:
        raise ValueError("length must be positive")
    return "".join(choice(ALPHABET) for _ in range(length))


def normalise(text: str, length: int = LENGTH) -> str | None:
    """The code that ``text`` spells (upper case, without spaces or dashes), or None when it
    cannot be one of ours (wrong length, a character outside the alphabet)."""
    if len(text) > 4 * length:  # bounded before any work
        return None
    code = text.translate(_SEPARATORS).upper()
    if len(code) != length or not set(code) <= _ALLOWED:
        return None
    return code


def is_valid(code: str, length: int = LENGTH) -> bool:
    return len(code) == length and set(code) <= _ALLOWED
