"""The manifest: YAML files with line numbers, merged, validated, references found.

    from ctctform.manifest import load_manifest
    manifest = load_manifest("ctctform/", variables={"brand": "Acme"})   # raises ManifestError

See docs/manifest.md for the format and docs/architecture.md for this interface.
"""

from ctctform.manifest import refs
from ctctform.manifest.load import load_manifest, manifest_files
from ctctform.manifest.model import (
    IDENTITY_KEYS,
    KINDS,
    TOPIC_IDS,
    WEBHOOK_TOPICS,
    Location,
    Manifest,
    ManifestError,
    Ref,
    Resource,
)
from ctctform.manifest.schema import SCHEMA_PATH, load_schema

__all__ = [
    "IDENTITY_KEYS",
    "KINDS",
    "SCHEMA_PATH",
    "TOPIC_IDS",
    "WEBHOOK_TOPICS",
    "Location",
    "Manifest",
    "ManifestError",
    "Ref",
    "Resource",
    "load_manifest",
    "load_schema",
    "manifest_files",
    "refs",
]
