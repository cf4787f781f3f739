"""Tests of the local Constant Contact v3 sandbox (a package, for its helpers module)."""
