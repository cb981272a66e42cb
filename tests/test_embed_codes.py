"""The codes the embed dialog gives a host (components/embed.py)."""

from __future__ import annotations

from meetings_ui.components.embed import embed_codes


def test_the_script_is_served_by_the_links_own_host() -> None:
    script, frame = embed_codes("https://book.acme.example/meetings/intro")
    assert script == (
        '<script src="https://book.acme.example/embed.js" '
        'data-meetings-link="https://book.acme.example/meetings/intro" async></script>'
    )
    assert frame.startswith('<iframe src="https://book.acme.example/meetings/intro?embed=1" ')


def test_an_app_on_a_path_keeps_its_path() -> None:
    script, _ = embed_codes("https://example.com/scheduler/meetings/intro")
    assert 'src="https://example.com/scheduler/embed.js"' in script


def test_attributes_are_escaped() -> None:
    script, frame = embed_codes('https://a.example/meetings/x"onload="alert(1)')
    assert '"onload="' not in script and '"onload="' not in frame
    assert "&quot;onload=&quot;" in script
