"""The manifest: YAML files with line numbers, merged, validated, references found.

    from ctctform.kinds import REGISTRY
    from ctctform.manifest import load_manifest
    manifest = load_manifest("ctctform/", {"brand": "Acme"}, kinds=REGISTRY.values())

The loader is handed the kinds and knows none by name (see model.ManifestKind). It raises
ManifestError listing every problem as `file:line: where: reason`. See docs/manifest.md for
the format and docs/architecture.md for this interface.
"""

from ctctform.manifest import refs
from ctctform.manifest.catalog import ManifestKind
from ctctform.manifest.declared import Declared
from ctctform.manifest.files import manifest_files
from ctctform.manifest.load import load_manifest
from ctctform.manifest.model import (
    Issue,
    Location,
    Manifest,
    ManifestError,
    Ref,
    Resource,
    Selector,
    Settings,
    Shape,
)
from ctctform.manifest.schema import SCHEMA_PATH, load_schema
from ctctform.manifest.schemagen import build_schema, schema_text

__all__ = [
    "SCHEMA_PATH",
    "Declared",
    "Issue",
    "Location",
    "Manifest",
    "ManifestError",
    "ManifestKind",
    "Ref",
    "Resource",
    "Selector",
    "Settings",
    "Shape",
    "build_schema",
    "load_manifest",
    "load_schema",
    "manifest_files",
    "refs",
    "schema_text",
]
