"""Request bodies and the platform's validation rules for artifacts."""

import re
from typing import Any, Literal

from pydantic import BaseModel, field_validator, model_validator

from .errors import RegistryError

# The platform's ArtifactNamesField pattern, verbatim.
FILE_NAME_RE = re.compile(r"^[^:\"*\`~#%;'^]+\.[^\s:\"*\`~#%;'^]+$")
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
MAX_FILE_SIZE = 5 * 1024**4  # 5 TB, the platform's limit

MODEL_ROOT_FILES = (
    "dtypes.json",
    "env.json",
    "manifest.json",
    "meta.json",
    "ops.json",
    "variant_config.json",
)

ArtifactType = Literal["model", "dataset", "experiment"]
ArtifactStatus = Literal[
    "pending_upload", "uploaded", "upload_failed", "pending_deletion", "deletion_failed"
]
CollectionType = Literal[
    "model",
    "dataset",
    "experiment",
    "model_dataset",
    "dataset_experiment",
    "model_experiment",
    "mixed",
]

ALLOWED_ARTIFACT_TYPES: dict[str, frozenset[str]] = {
    "model": frozenset({"model"}),
    "dataset": frozenset({"dataset"}),
    "experiment": frozenset({"experiment"}),
    "model_dataset": frozenset({"model", "dataset"}),
    "dataset_experiment": frozenset({"dataset", "experiment"}),
    "model_experiment": frozenset({"model", "experiment"}),
    "mixed": frozenset({"model", "dataset", "experiment"}),
}


class ArtifactIn(BaseModel):
    file_name: str
    name: str | None = None
    description: str | None = None
    extra_values: dict[str, Any] = {}
    manifest: dict[str, Any]
    file_hash: str
    file_index: dict[str, tuple[int, int]]
    size: int
    tags: list[str] | None = None
    type: ArtifactType | None = None
    # Sent by luml-api when given; accepted so the client works, not stored.
    lineage_inputs: list[str] | None = None

    @field_validator("file_name")
    @classmethod
    def _file_name(cls, value: str) -> str:
        if not FILE_NAME_RE.match(value):
            raise ValueError(
                f"{value!r} is not a valid file name: use '<name>.<extension>' "
                "with no whitespace in the extension and none of the characters "
                ": \" * ` ~ # % ; ' ^"
            )
        return value

    @field_validator("file_hash")
    @classmethod
    def _file_hash(cls, value: str) -> str:
        if not SHA256_RE.match(value):
            raise ValueError("must be the file's SHA-256 as 64 hexadecimal characters")
        return value.lower()

    @field_validator("size")
    @classmethod
    def _size(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("must be the file's size in bytes, greater than 0")
        if value > MAX_FILE_SIZE:
            raise ValueError("an artifact cannot be bigger than 5 TB")
        return value

    @model_validator(mode="after")
    def _index_inside_file(self) -> "ArtifactIn":
        for path, (offset, length) in self.file_index.items():
            if offset < 0 or length < 0 or offset + length > self.size:
                raise ValueError(
                    f"file_index[{path!r}] = [{offset}, {length}] lies outside "
                    f"the file of {self.size} bytes"
                )
        return self


class ArtifactUpdateIn(BaseModel):
    name: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    status: ArtifactStatus | None = None


class CollectionIn(BaseModel):
    name: str
    description: str = ""
    type: CollectionType
    tags: list[str] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class MultipartUrlsIn(BaseModel):
    bucket_id: str
    bucket_location: str
    size: int
    upload_id: str | None = None


def resolve_artifact_type(artifact: ArtifactIn, collection_type: str) -> str:
    """Decide the artifact's type as the platform does, with clearer errors.

    A model needs the six FNNX root files; other types must be claimed through
    ``type`` or a LUML artifact manifest's ``artifact_type``.
    """
    claimed = artifact.type or artifact.manifest.get("artifact_type")
    missing = [name for name in MODEL_ROOT_FILES if name not in artifact.file_index]
    if claimed in (None, "model"):
        if missing:
            if claimed == "model":
                raise RegistryError(
                    "This file cannot be registered as a model: file_index lacks the "
                    f"model root files {', '.join(missing)}. A model file (.luml) "
                    f"holds all of {', '.join(MODEL_ROOT_FILES)} at its root."
                )
            raise RegistryError(
                "Could not determine the artifact type: file_index lacks the model "
                f'root files {", ".join(missing)}. Send "type": "dataset" or '
                '"experiment" for other artifacts.'
            )
        resolved = "model"
    elif claimed in ("dataset", "experiment"):
        resolved = str(claimed)
    else:
        raise RegistryError(
            f"Unsupported artifact type {claimed!r}: use model, dataset or experiment."
        )
    allowed = ALLOWED_ARTIFACT_TYPES.get(collection_type, frozenset())
    if resolved not in allowed:
        raise RegistryError(
            f"A collection of type {collection_type!r} cannot hold {resolved} "
            "artifacts: choose a collection of a matching type."
        )
    return resolved
