"""Who is calling: what an API key stands for. Every read and write of the
catalog and its artifacts goes through one, so one organization's key never
sees another's data."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """An API key of one user in one organization."""

    key_id: str
    user_id: str
    organization_id: str
    #: recorded as an artifact's ``created_by_user``
    user_name: str | None
