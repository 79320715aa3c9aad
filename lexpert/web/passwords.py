"""The password policy: at least 12 characters, not only whitespace, not one character repeated,
not the user name (alone or with digits and symbols around it), not a common password (the
deny-list ``lexpert/data/passwords/common.txt``, made by ``scripts/common_passwords.py``).
Each refusal is one line saying which rule failed."""
from __future__ import annotations

import string
from functools import lru_cache

from ..data import DATA
from ..errors import LexpertError

MIN_LENGTH = 12
MAX_LENGTH = 1024          # longer is refused before hashing: no request spends the hasher on megabytes
_AROUND = string.digits + string.punctuation + string.whitespace


class WeakPassword(LexpertError):
    code = "weak_password"
    http_status = 400


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (DATA / "passwords" / "common.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def check_password(password: str, name: str | None = None) -> None:
    """Refuse a password that breaks the policy (``WeakPassword``, HTTP 400); return None if it passes."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")
    if not password.strip():
        raise WeakPassword("a password cannot be only spaces")
    low = password.lower()
    if len(set(low)) == 1:
        raise WeakPassword("a password cannot be one character repeated")
    core = (name or "").lower().strip(_AROUND)
    if core and low.strip(_AROUND) == core:
        raise WeakPassword("a password cannot be the user name")
    if low in common_passwords() or low.strip() in common_passwords():
        raise WeakPassword("this password is in the list of common passwords; choose another")
