"""Draw Lift's PNG icons from the same shapes as icon.svg, in Debian's Chromium.

Run once after changing the icon (the PNGs are committed):
    .venv/bin/python frontend/tools/make_icons.py

"any" icons keep icon.svg's rounded corners. Maskable icons and the Apple touch icon are
full-bleed squares, because the phone cuts its own shape out of them; the mark sits well
inside the central safe circle (40% of the size around the centre) that every shape keeps.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

# Kept outside static/ so the script itself is never served.
REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "frontend" / "static" / "icons"
SCREENSHOT = REPO / "docs" / "screenshots" / "home.png"
BLUE = "#2f4ac0"
MARK = '<path d="M20 44 32 18l12 26" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"/>'


def svg(size: int, rounded: bool) -> str:
    corner = ' rx="14"' if rounded else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="{size}" height="{size}">'
            f'<rect width="64" height="64"{corner} fill="{BLUE}"/>{MARK}</svg>')


ICONS = {
    "icon-192.png": (192, True),
    "icon-512.png": (512, True),
    "maskable-192.png": (192, False),
    "maskable-512.png": (512, False),
    "apple-touch-icon.png": (180, False),
}


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for name, (size, rounded) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(f'<body style="margin:0">{svg(size, rounded)}</body>')
            page.locator("svg").screenshot(path=str(HERE / name), omit_background=True)
            page.close()
        browser.close()
    shutil.copyfile(SCREENSHOT, HERE / "screenshot-narrow.png")


if __name__ == "__main__":
    main()
