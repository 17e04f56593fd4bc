"""Markdown from residents and staff is rendered, never executed: no raw HTML, no script links, no images."""

from civic.markdown import render


def test_markdown_is_rendered_with_headings_below_the_page_headings():
    html = render("# 方案说明\n\n**每月 100 元**，摇号分配：\n\n- 一栋\n- 二栋")
    assert "<h3>方案说明</h3>" in html and "<strong>每月 100 元</strong>" in html and "<li>一栋</li>" in html


def test_raw_html_and_script_links_are_escaped_not_run():
    html = render('<script>alert(1)</script> <img src=x onerror=alert(1)> [点我](javascript:alert(1))')
    assert "<script>" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_links_are_marked_and_images_are_not_loaded():
    html = render("[街道公告](https://example.org/notice) ![图](https://example.org/x.png)")
    assert '<a href="https://example.org/notice" rel="nofollow ugc noopener">' in html
    assert "<img" not in html


def test_empty_text_renders_nothing():
    assert render("") == "" and render(None) == ""
