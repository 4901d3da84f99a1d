"""Dashboard logins: scrypt password hashes and the check of a user name and password.

Hashes are ``scrypt$N$r$p$salt$hash`` (salt and hash base64). The standard library's
``hashlib.scrypt`` is a memory-hard KDF, so no extra package is needed for it.

Run ``python -m govwatch.web.auth`` to print the hash of a password typed twice, for
``GOVWATCH_DASHBOARD_USERS``.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` to store in the settings."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        expected_bytes = base64.b64decode(expected)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected_bytes),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected_bytes)


def authenticate(users: dict[str, str], user_name: str, password: str) -> bool:
    """Whether ``user_name`` is a dashboard user and ``password`` is theirs."""
    stored = users.get(user_name)
    if stored is None:
        # Same work for unknown names, so timing does not reveal which names exist.
        verify_password(password, hash_password("unknown-user"))
        return False
    return verify_password(password, stored)


def main() -> None:
    """Print the hash of a password typed twice (for GOVWATCH_DASHBOARD_USERS)."""
    password = getpass.getpass("看板登录密码: ")
    if not password or password != getpass.getpass("再输入一次: "):
        print("两次输入的密码不一致或为空", file=sys.stderr)
        sys.exit(2)
    print(hash_password(password))


if __name__ == "__main__":
    main()
