"""Password hashing with Argon2id (argon2-cffi), the PasswordHasher port of the services."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    """Argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile: 64 MiB,
    3 passes, 4 lanes) unless told otherwise; tests pass cheaper parameters."""

    def __init__(
        self,
        time_cost: int | None = None,
        memory_cost_kib: int | None = None,
        parallelism: int | None = None,
    ) -> None:
        defaults = _Argon2()
        self._hasher = _Argon2(
            time_cost=defaults.time_cost if time_cost is None else time_cost,
            memory_cost=defaults.memory_cost if memory_cost_kib is None else memory_cost_kib,
            parallelism=defaults.parallelism if parallelism is None else parallelism,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True
