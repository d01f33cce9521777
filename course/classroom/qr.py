"""The join QR code, drawn offline by segno as inline SVG (no image request, no external service)."""

import segno


def qr_svg(url: str, *, scale: int = 6, title: str = "") -> str:
    """Return an inline <svg> element encoding `url`, black on white (scanners need the contrast in dark mode too)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(
        scale=scale,
        dark="#000",
        light="#fff",
        border=2,
        title=title or None,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
