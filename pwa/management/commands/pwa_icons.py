"""Renders the app icons (PNG) from their SVG sources in static/img/icons/.

The PNGs are committed; run this only after changing an SVG. It draws them
with the same headless Chromium the browser tests use (a development tool,
never needed to serve the app): ``manage.py pwa_icons``.
"""

import base64
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

ICONS = Path(settings.BASE_DIR) / "static" / "img" / "icons"

# (source SVG, output PNG, size in px, transparent corners?)
RENDERS = [
    ("icon.svg", "icon-192.png", 192, True),
    ("icon.svg", "icon-512.png", 512, True),
    ("icon-maskable.svg", "icon-maskable-192.png", 192, False),
    ("icon-maskable.svg", "icon-maskable-512.png", 512, False),
    # iOS rounds the corners itself and shows transparency as black.
    ("icon-maskable.svg", "apple-touch-icon.png", 180, False),
    # Android draws the notification badge from the alpha channel only.
    ("badge.svg", "badge-96.png", 96, True),
]


class Command(BaseCommand):
    help = "Renders static/img/icons/*.png from the SVG sources with headless Chromium."

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                for source, target, size, transparent in RENDERS:
                    svg = base64.b64encode((ICONS / source).read_bytes()).decode()
                    page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
                    page.set_content(
                        '<html><body style="margin:0;background:transparent">'
                        f'<img src="data:image/svg+xml;base64,{svg}" width="{size}" height="{size}" '
                        'style="display:block"></body></html>'
                    )
                    page.wait_for_function("document.images[0].complete")
                    page.screenshot(path=str(ICONS / target), omit_background=transparent)
                    page.close()
                    self.stdout.write(f"{target} ({size}x{size})")
            finally:
                browser.close()
