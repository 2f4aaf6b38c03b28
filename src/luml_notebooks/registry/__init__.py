"""A local LUML Registry: the platform's artifact API over SQLite and files."""

from .app import create_app
from .store import RegistryStore, create_api_key, default_data_dir

__all__ = ["RegistryStore", "create_api_key", "create_app", "default_data_dir"]
