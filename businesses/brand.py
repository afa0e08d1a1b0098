"""The salon's brand colour as pages can use it: text in it, and white text on it, must reach
WCAG 2.2 AA contrast (4.5:1) against white; a lighter colour is darkened until it does."""

WHITE = (255, 255, 255)
AA_CONTRAST = 4.5


def rgb(color: str) -> tuple[int, int, int]:
    """#RRGGBB -> (r, g, b)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(channels: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def accessible_brand(color: str) -> str:
    """The brand colour itself when it contrasts enough with white, else the same hue darkened
    in steps of 5% towards black until it does."""
    channels = rgb(color)
    for step in range(20):
        share = 1 - step / 20
        darker = (round(channels[0] * share), round(channels[1] * share), round(channels[2] * share))
        if contrast(darker, WHITE) >= AA_CONTRAST:
            return "#{:02x}{:02x}{:02x}".format(*darker)
    return "#000000"
