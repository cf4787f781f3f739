"""Renderers of a Plan: text for terminals and logs, JSON for machines, Markdown for PRs."""

from ctctform.render.markdown import render_markdown
from ctctform.render.text import render_plan

__all__ = ["render_markdown", "render_plan"]
