"""The Markdown plan as a pull-request comment: parsed with markdown-it-py in CommonMark mode
(what GitHub renders), cut to the comment limit with the summary and every delete kept,
names escaped, references named, criteria shown as structure."""

from __future__ import annotations

import json
import re

from markdown_it import MarkdownIt

from .helpers import EXAMPLES

SEED = EXAMPLES / "demo-seed.yaml"
BASIC = EXAMPLES / "basic"
LIMIT = 65_000


def _parse(text: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(text)


def _plain_paragraphs(tokens: list) -> list[str]:
    return [t.content for t in tokens if t.type == "inline"]


def _plan_md(ctct, tmp_path, path, *extra) -> str:
    md = tmp_path / "plan.md"
    res = ctct(["plan", path, "--markdown", md, *extra])
    assert res.code in (0, 2), res
    return md.read_text()


def test_html_blocks_stand_alone_so_what_follows_is_markdown_again(sb, ctct, tmp_path):
    sb.seed(SEED)
    text = _plan_md(ctct, tmp_path, BASIC)
    tokens = _parse(text)
    html = [t.content for t in tokens if t.type == "html_block"]
    assert any(h.startswith("<details><summary>Changes (12)</summary>") for h in html), html
    assert any(h.strip() == "</details>" for h in html), html
    # No HTML tag and no list marker is left as literal text in a paragraph.
    for para in _plain_paragraphs(tokens):
        assert "<details" not in para and "</details>" not in para, para
    assert [t.info for t in tokens if t.type == "fence"] == ["diff"]
    assert "bullet_list_open" in [t.type for t in tokens]  # the warnings are a real list
    assert "table_open" in [t.type for t in tokens]


def test_names_are_escaped_and_references_are_named(sb, ctct, manifest, tmp_path):
    sb.seed({"tags": [{"name": "VIP"}, {"name": "<b>*bold*</b> | `tick`"}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
        segments:
          - name: VIPs
            criteria:
              version: "1.0.0"
              criteria:
                type: and
                group:
                  - type: or
                    group:
                      - {source: tags, field: tag_id, op: contains-any, const_value: "${tag:VIP}"}
        prune:
          tags: true
        settings:
          allow_delete: [tags]
    """)
    text = _plan_md(ctct, tmp_path, path)
    tokens = _parse(text)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>*bold*</b>" not in rendered.replace("&lt;b&gt;", "")  # never live HTML
    assert "&lt;b&gt;*bold*&lt;/b&gt; | `tick`" in rendered  # shown as written
    vip = sb.store().find("tags", "VIP").tag_id
    assert f'"{vip}" (tag VIP)' in text  # the id, and whose it is
    fence = next(t for t in tokens if t.type == "fence")
    assert '+     type: "and"' in fence.content  # criteria as indented structure


CRITERIA = {
    "version": "1.0.0",
    "criteria": {
        "type": "and",
        "group": [
            {
                "type": "or",
                "group": [
                    {"source": "contact", "field": "first_name", "op": "eq", "const_value": "A"}
                ],
            }
        ],
    },
}


def test_a_5000_change_plan_fits_one_comment_with_every_delete(sb, ctct, tmp_path):
    """1,500 deletes (400 tags, 1,100 segments) and 3,500 creates (1,000 lists, the most an
    account holds, and 2,500 segments)."""
    tags = [f"Old tag {i:04d}" for i in range(400)]
    segments = [f"Old segment {i:04d}" for i in range(1100)]
    sb.seed(
        {
            "tags": [{"name": n} for n in tags],
            "segments": [{"name": n, "criteria": CRITERIA} for n in segments],
        }
    )
    criteria = json.dumps(CRITERIA)
    lists = "".join(f"  - name: List {i:04d}\n    description: {'x' * 40}\n" for i in range(1000))
    new = "".join(f"  - name: Segment {i:04d}\n    criteria: {criteria}\n" for i in range(2500))
    path = tmp_path / "big.yaml"
    path.write_text(
        "version: 1\nlists:\n" + lists + "segments:\n" + new
        + "prune:\n  tags: true\n  segments: true\n"
        "settings:\n  allow_delete: [tags, segments]\n"
    )  # fmt: skip
    text = _plan_md(ctct, tmp_path, path)
    assert len(text) <= LIMIT, len(text)
    assert "| 3500 | 0 | 1500 | 0 |" in text  # the summary survives
    assert all(f"`{n}`" in text for n in tags + segments)  # and every delete, by name
    cut = re.search(r"_Cut to fit one comment: (.*?) are not shown", text)
    assert cut and "of 5000 changes in detail" in cut.group(1), text[-600:]
    tokens = _parse(text)
    assert [t.type for t in tokens].count("fence") == 1  # the diff's fence is closed
    assert any(t.type == "html_block" and t.content.strip() == "</details>" for t in tokens)


def test_a_partial_plan_and_a_drift_report_say_what_they_are(sb, ctct, tmp_path):
    sb.seed(SEED)
    partial = _plan_md(ctct, tmp_path, BASIC, "--target", "lists")
    assert "**Partial plan** (--target lists)" in partial
    drift = _plan_md(ctct, tmp_path, BASIC, "--refresh-only")
    assert drift.startswith("### ctctform drift report (refresh-only")
    assert "will perform" not in drift


def test_a_hostile_live_name_forges_nothing_on_a_terminal_or_in_the_comment(
    sb, ctct, manifest, tmp_path
):
    """A name is data: escape sequences, carriage returns and line breaks in a live name are
    shown escaped, in the text plan (no redrawn line) and in the Markdown (no link, no bold,
    no raw HTML out of its code span)."""
    evil = (
        "Customers\r\r**All checks passed** [details](https://evil.example/x)\x1b[2K\n<img src=x>"
    )
    sb.seed({"tags": [{"name": "VIP"}, {"name": evil}]})
    path = manifest("""
        version: 1
        tags:
          - name: VIP
        prune:
          tags: true
        settings:
          allow_delete: [tags]
    """)
    plan = ctct(["plan", path])
    assert plan.code == 0, plan
    assert "\x1b" not in plan.output and "\r" not in plan.output
    assert "Customers\\u000d\\u000d**All checks passed**" in plan.stdout
    text = _plan_md(ctct, tmp_path, path)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<strong>All checks passed" not in rendered and 'evil.example/x"' not in rendered
    assert "<a href" not in rendered and "<img" not in rendered
    assert "\r" not in text and "\x1b" not in text
