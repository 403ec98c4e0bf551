"""Article bodies: Markdown in, safe HTML out (domain.md §10, "Education").

Ops write Markdown; Python-Markdown turns it into HTML and nh3 keeps only an allow-list of
tags and attributes. Raw HTML typed into the Markdown (a `<script>`, an `onclick`, an
`<iframe>`) is dropped, links keep only web, mail and phone addresses (a `javascript:` link
loses its address), and every link gets `rel="nofollow noopener"`. The page prints the result
as is, so this module is the only door HTML comes in by.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Relative addresses (/loans/…) pass; absolute ones only with these schemes.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "nofollow noopener"
# Tables for figures (a worked example), nothing that writes inline styles or scripts.
MARKDOWN_EXTENSIONS = ["tables", "sane_lists"]


def render_markdown(text: str) -> str:
    """Safe HTML of a Markdown text: rendered, then sanitized by the allow-list."""
    html = markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
