"""Bar charts drawn on the server as inline SVG: no script, no CDN.

Our Content-Security-Policy refuses inline `style` attributes, so shapes are placed and
coloured with SVG presentation attributes (x, y, width, height, fill) and styled further
only from frontdesk.css. Each chart names itself (<title>, aria-labelledby) and says where
its figures are as text: the table it follows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 720
HEIGHT = 240
MARGIN_TOP = 20  # room for a value over the tallest bar
MARGIN_BOTTOM = 40  # room for the labels under the bars
MARGIN_LEFT = 8
LABELS_SHOWN = 12  # at most this many labels under the bars; every bar keeps its own <title>
BAR_FILL = "#5b3cc4"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    shown: str  # the value as the table shows it


def bar_chart(*, key: str, title: str, bars: list[Bar], description: str) -> SafeString:
    """An SVG bar chart of `bars` (left to right), scaled to the largest value."""
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = (WIDTH - MARGIN_LEFT) / max(len(bars), 1)
    largest = max((bar.value for bar in bars), default=0) or 1
    every = -(-len(bars) // LABELS_SHOWN)  # label every n-th bar so labels never overlap
    shapes = []
    for i, bar in enumerate(bars):
        height = plot_height * float(bar.value) / float(largest)
        x = MARGIN_LEFT + i * slot
        shapes.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
                f"{x + slot * 0.1:.1f}",
                f"{MARGIN_TOP + plot_height - height:.1f}",
                f"{slot * 0.8:.1f}",
                f"{height:.1f}",
                BAR_FILL,
                bar.label,
                bar.shown,
            )
        )
        if every == 1:  # few bars: each one's value sits on it
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="currentColor">{}</text>',
                    f"{x + slot / 2:.1f}",
                    f"{MARGIN_TOP + plot_height - height - 4:.1f}",
                    bar.shown,
                )
            )
        if i % every == 0:
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="currentColor">{}</text>',
                    f"{x + slot / 2:.1f}",
                    HEIGHT - MARGIN_BOTTOM + 16,
                    bar.label,
                )
            )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-width="1"/>',
        MARGIN_LEFT,
        MARGIN_TOP + plot_height,
        WIDTH,
        MARGIN_TOP + plot_height,
    )
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title><desc id="{}">{}</desc>{}{}</svg>',
        WIDTH,
        HEIGHT,
        title_id,
        desc_id,
        title_id,
        title,
        desc_id,
        description,
        axis,
        format_html_join("", "{}", ((shape,) for shape in shapes)),
    )
