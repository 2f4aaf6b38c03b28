"""The registry's data folder: its database, its blobs and the parts that
keep records in them.

``RegistryStore`` opens the folder and composes one object per aggregate:
``keys`` (API keys), ``catalog`` (organizations, orbits, collections),
``artifacts`` and ``multipart`` (multipart uploads). It owns what belongs to
none of them: the folder's privacy, the URL-signing secret, and setting up
an empty registry. Bytes live in ``BlobStore``; the aggregates only record
them.
"""

import logging
import secrets
from pathlib import Path

from .artifacts import Artifacts
from .blobs import BlobStore
from .catalog import Catalog
from .datadir import DATABASE_FILE
from .db import Database
from .keys import ApiKeys
from .multipart import MultipartUploads
from .private import make_private, make_private_dir

logger = logging.getLogger(__name__)

BOOTSTRAP_KEY_NAME = "first key"


class RegistryStore:
    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir).expanduser()
        make_private_dir(self.data_dir)
        _make_existing_data_private(self.data_dir)
        self.db = Database(self.data_dir / DATABASE_FILE)
        self.blobs = BlobStore(self.data_dir / "blobs")
        self.catalog = Catalog(self.db)
        self.keys = ApiKeys(self.db, self.catalog)
        self.multipart = MultipartUploads(self.db, self.blobs)
        self.artifacts = Artifacts(self.db, self.blobs, self.catalog, self.multipart)

    def ensure_bootstrap(self) -> str | None:
        """On an empty registry create an organization, an orbit, a model
        collection and an API key; return the key. Later calls return None."""
        with self.db.transaction() as conn:
            if self.catalog.has_organizations(conn):
                return None
            org_id = self.catalog.create_defaults(conn)
            return self.keys.insert(conn, org_id, BOOTSTRAP_KEY_NAME)

    def signing_key(self) -> bytes:
        """The secret behind presigned URLs; kept so URLs survive restarts."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = 'url_signing_key'"
            ).fetchone()
            if row:
                return bytes.fromhex(row["value"])
            key = secrets.token_bytes(32)
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('url_signing_key', ?)",
                (key.hex(),),
            )
            return key


def create_api_key(
    data_dir: Path | str, org_id: str | None = None, *, name: str = ""
) -> str:
    """Create an API key in ``data_dir``'s registry (see ``ApiKeys.create``)."""
    return RegistryStore(data_dir).keys.create(org_id, name=name)


def _make_existing_data_private(data_dir: Path) -> None:
    """Fix, with a warning, what earlier releases left readable to everyone:
    nobody meant to share a secret and the models, and fixing it at once
    beats a warning that is easy to miss while the data stays exposed."""
    changed, failed = make_private(data_dir)
    if changed:
        logger.warning(
            "%d files and folders in %s were open to other users of this machine; "
            "they are now private to you (it holds the URL-signing secret and "
            "the stored models).",
            len(changed),
            data_dir,
        )
    if failed:
        logger.warning(
            "%d files and folders in %s are open to other users and could not be "
            "made private (e.g. %s): run 'chmod -R go-rwx %s' as their owner.",
            len(failed),
            data_dir,
            failed[0],
            data_dir,
        )
