"""Simple, light cover pictures for the demo courses, drawn with Pillow: a colour and a motif."""

import io

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 720, 360
WHITE = (255, 255, 255)
PALETTE = {
    "BDHVS-01": ((11, 93, 59), "phone"),
    "BDHVS-02": ((176, 30, 40), "card"),
    "BDHVS-03": ((26, 82, 160), "document"),
    "BDHVS-04": ((0, 120, 140), "qr"),
    "BDHVS-05": ((150, 60, 10), "shield"),
    "BDHVS-06": ((120, 80, 20), "basket"),
    "BDHVS-07": ((60, 120, 30), "leaf"),
    "BDHVS-08": ((90, 50, 140), "bubble"),
    "TCNS-01": ((20, 100, 110), "people"),
    "CBS-01": ((40, 60, 90), "chart"),
}


def _phone(d):
    d.rounded_rectangle((300, 50, 420, 310), 18, outline=WHITE, width=8)
    d.line((340, 280, 380, 280), fill=WHITE, width=8)


def _card(d):
    d.rounded_rectangle((210, 90, 510, 270), 16, outline=WHITE, width=8)
    d.ellipse((240, 130, 320, 210), outline=WHITE, width=7)
    for y in (140, 180, 220):
        d.line((350, y, 480, y), fill=WHITE, width=8)


def _document(d):
    d.rectangle((270, 60, 450, 300), outline=WHITE, width=8)
    for y in (110, 150, 190):
        d.line((300, y, 420, y), fill=WHITE, width=7)
    d.line((310, 245, 345, 275, 415, 215), fill=WHITE, width=10, joint="curve")


def _qr(d):
    for x, y in ((240, 60), (400, 60), (240, 220)):
        d.rectangle((x, y, x + 80, y + 80), outline=WHITE, width=10)
        d.rectangle((x + 25, y + 25, x + 55, y + 55), fill=WHITE)
    for x, y in ((420, 240), (450, 270), (400, 290), (460, 220), (350, 250)):
        d.rectangle((x, y, x + 22, y + 22), fill=WHITE)


def _shield(d):
    d.polygon([(360, 50), (470, 95), (450, 230), (360, 310), (270, 230), (250, 95)], outline=WHITE, width=9)
    d.line((310, 180, 350, 220, 420, 140), fill=WHITE, width=12, joint="curve")


def _basket(d):
    d.polygon([(240, 160), (480, 160), (450, 290), (270, 290)], outline=WHITE, width=9)
    d.arc((290, 60, 430, 200), 180, 360, fill=WHITE, width=9)
    for x in (300, 360, 420):
        d.line((x, 180, x - 5 if x < 360 else x + 5 if x > 360 else x, 270), fill=WHITE, width=6)


def _leaf(d):
    d.ellipse((410, 50, 490, 130), outline=WHITE, width=8)
    d.chord((230, 120, 430, 320), 200, 70, outline=WHITE, width=9)
    d.line((260, 300, 400, 160), fill=WHITE, width=7)


def _bubble(d):
    d.rounded_rectangle((220, 70, 500, 240), 40, outline=WHITE, width=9)
    d.polygon([(280, 235), (260, 300), (330, 238)], fill=WHITE)
    for x in (300, 360, 420):
        d.ellipse((x - 14, 141, x + 14, 169), fill=WHITE)


def _people(d):
    for x in (270, 360, 450):
        d.ellipse((x - 32, 80, x + 32, 144), outline=WHITE, width=8)
        d.arc((x - 60, 160, x + 60, 300), 180, 360, fill=WHITE, width=8)


def _chart(d):
    d.line((240, 60, 240, 300, 500, 300), fill=WHITE, width=8)
    for i, h in enumerate((80, 140, 110, 190)):
        x = 270 + i * 55
        d.rectangle((x, 300 - h, x + 35, 296), fill=WHITE)


MOTIFS = {
    "phone": _phone,
    "card": _card,
    "document": _document,
    "qr": _qr,
    "shield": _shield,
    "basket": _basket,
    "leaf": _leaf,
    "bubble": _bubble,
    "people": _people,
    "chart": _chart,
}


def cover_png(code: str) -> bytes:
    colour, motif = PALETTE.get(code, ((11, 93, 59), "phone"))
    image = Image.new("RGB", (WIDTH, HEIGHT), colour)
    draw = ImageDraw.Draw(image)
    # A lighter band gives the flat colour some depth without costing bytes.
    draw.rectangle((0, HEIGHT - 70, WIDTH, HEIGHT), fill=tuple(min(255, c + 25) for c in colour))
    MOTIFS[motif](draw)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
