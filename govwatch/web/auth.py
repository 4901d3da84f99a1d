"""Dashboard logins: scrypt password hashes, the check of a user name and password,
throttling of failed logins, and the session tokens that logout revokes.

Hashes are ``scrypt$N$r$p$salt$hash`` (salt and hash base64). The standard library's
``hashlib.scrypt`` is a memory-hard KDF, so no extra package is needed for it.

Run ``python -m govwatch.web.auth`` to print the hash of a password typed twice, for
``GOVWATCH_DASHBOARD_USERS``.
"""

from __future__ import annotations

import base64
import functools
import getpass
import hashlib
import hmac
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

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


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches (random salt and password), made once per process."""
    return hash_password(secrets.token_urlsafe(16))


def authenticate(users: dict[str, str], user_name: str, password: str) -> bool:
    """Whether ``user_name`` is a dashboard user and ``password`` is theirs."""
    stored = users.get(user_name)
    if stored is None:
        # Exactly the work of a wrong password (one scrypt with the same parameters),
        # so the time to refuse does not reveal which user names exist.
        verify_password(password, _dummy_hash())
        return False
    return verify_password(password, stored)


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginThrottle:
    """Failed logins per user name and per client address, and the lockouts they earn.

    After ``max_failures`` failures of one name or from one address, logins for it are
    refused (without checking the password) for ``lockout_s``, doubling with every
    further failure up to ``MAX_LOCKOUT_S``: password guessing gets a few tries an hour.
    A success clears the name's and the address's count. State is per process: the
    dashboard is one process (``govwatch serve``).
    """

    MAX_LOCKOUT_S = 3600.0
    #: Keys remembered at most (oldest forgotten first), so random names cannot fill memory.
    MAX_KEYS = 10_000

    def __init__(
        self,
        max_failures: int,
        lockout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(user_name: str, address: str) -> tuple[str, str]:
        return f"user:{user_name}", f"addr:{address}"

    def retry_after(self, user_name: str, address: str) -> float:
        """Seconds until this name and address may try again; 0: they may now."""
        now = self.clock()
        with self._lock:
            waits = [
                entry.locked_until - now
                for key in self._keys(user_name, address)
                if (entry := self._failures.get(key)) is not None
            ]
        return max([0.0, *waits])

    def failed(self, user_name: str, address: str) -> None:
        """Count a failed login for the name and the address."""
        now = self.clock()
        with self._lock:
            for key in self._keys(user_name, address):
                entry = self._failures.pop(key, None) or _Failures()
                entry.count += 1
                if entry.count >= self.max_failures:
                    extra = entry.count - self.max_failures
                    lockout = min(self.lockout_s * 2 ** min(extra, 32), self.MAX_LOCKOUT_S)
                    entry.locked_until = now + lockout
                self._failures[key] = entry
            while len(self._failures) > self.MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, user_name: str, address: str) -> None:
        """Forget the failures of the name and the address."""
        with self._lock:
            for key in self._keys(user_name, address):
                self._failures.pop(key, None)


def new_session_token() -> tuple[str, str]:
    """A random session token (for the cookie) and its SHA-256 (for the database)."""
    token = secrets.token_urlsafe(32)
    return token, session_token_hash(token)


def session_token_hash(token: str) -> str:
    """What ``dashboard_sessions`` stores of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def main() -> None:
    """Print the hash of a password typed twice (for GOVWATCH_DASHBOARD_USERS)."""
    password = getpass.getpass("看板登录密码: ")
    if not password or password != getpass.getpass("再输入一次: "):
        print("两次输入的密码不一致或为空", file=sys.stderr)
        sys.exit(2)
    print(hash_password(password))


if __name__ == "__main__":
    main()
