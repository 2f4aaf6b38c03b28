"""Errors the registry reports to API users as ``{"detail": "..."}``."""


class RegistryError(Exception):
    """A failure the caller can fix; ``detail`` says how."""

    status_code = 400

    def __init__(self, detail: str, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if status_code is not None:
            self.status_code = status_code


class Unauthorized(RegistryError):
    status_code = 401


class Forbidden(RegistryError):
    status_code = 403


class NotFound(RegistryError):
    status_code = 404


class Conflict(RegistryError):
    status_code = 409
