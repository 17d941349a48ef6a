"""How static/certificates/fonts/BeVietnamPro-400.ttf and -700.ttf were made (once; they are committed).

Be Vietnam Pro (SIL Open Font License 1.1, see OFL.txt) comes from the npm package
@fontsource/be-vietnam-pro 5.3.0, split in three subsets per weight (latin, latin-ext, vietnamese).
WeasyPrint must see one file per weight: with three files under one family it mixes their glyph
ids in the PDF and the text no longer extracts ("sàn" becomes "sẩn"). fontTools merges them.

    npm pack @fontsource/be-vietnam-pro@5.3.0 && tar xzf fontsource-be-vietnam-pro-5.3.0.tgz
    python certificates/build_fonts.py package/files certificates/static/certificates/fonts
"""

import sys
import tempfile
from pathlib import Path

from fontTools.merge import Merger, Options
from fontTools.ttLib import TTFont


def build(source: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        for weight in ("400", "700"):
            parts = []
            for subset in ("latin", "latin-ext", "vietnamese"):
                font = TTFont(source / f"be-vietnam-pro-{subset}-{weight}-normal.woff")
                font.flavor = None
                path = Path(work) / f"{subset}-{weight}.ttf"
                font.save(path)
                parts.append(str(path))
            merged = Merger(options=Options(drop_tables=["vhea", "vmtx"])).merge(parts)
            merged.save(target / f"BeVietnamPro-{weight}.ttf")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
