"""The content checks of a picture: its pixel count before decoding, that it decodes to the
end, its EXIF orientation, colour or grey, upright, and a blue background.

The picture is measured from its header before anything is decoded, and analysed on a small
copy (long edge ANALYSIS_EDGE), so a 24-megapixel photo is checked in a fraction of a second.
"""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter

from nonasn_desktop.policy.model import DocumentPolicy, DocumentRule
from nonasn_desktop.rules.decoders import (
    exif_orientation,
    flatten,
    open_image,
    orient,
    quiet_decoders,
)
from nonasn_desktop.rules.filetypes import JPEG, DetectedType, declared_size, decode_work_problem
from nonasn_desktop.rules.findings import Analysis, megapixels, percent

# Long edge of the copy the image checks look at: enough for colour and background, cheap.
ANALYSIS_EDGE = 512
# When less than this share of a picture is flat (pure texture or grain), colour is judged on
# every pixel instead of the flat ones.
_MIN_FLAT_SHARE = 0.01

_ORIENTATION_TEXT = {
    2: "dicerminkan",
    3: "diputar 180°",
    4: "dibalik atas-bawah",
    5: "dicerminkan dan diputar 90°",
    6: "diputar 90° searah jarum jam",
    7: "dicerminkan dan diputar 90°",
    8: "diputar 90° berlawanan arah jarum jam",
}


def analyse_image(
    data: bytes,
    detected: DetectedType,
    rule: DocumentRule,
    documents: DocumentPolicy,
    analysis: Analysis,
) -> None:
    """Decode the picture (refusing it first when it would cost too much), then check what
    ``rule`` asks of its content."""
    decoded = _decode(data, detected, documents, analysis)
    if decoded is None:
        return
    rgb, width, height = decoded
    if rule.colour:
        _colour(rgb, documents, analysis)
    if rule.portrait:
        _portrait(width, height, analysis)
    if rule.blue_background:
        _blue_background(rgb, documents, analysis)


def _decode(
    data: bytes, detected: DetectedType, documents: DocumentPolicy, analysis: Analysis
) -> tuple[Image.Image, int, int] | None:
    """The picture as displayed, decoded to the end into a small RGB copy, with its full
    width and height as displayed; None (with the finding that says why) when it is too
    large, too costly or unreadable."""
    label = detected.label[0].upper() + detected.label[1:]
    unreadable = (
        f"{label} rusak atau terpotong sehingga tidak dapat dibaca "
        "sampai habis. Minta berkas aslinya lagi, atau pindai/foto ulang dokumennya."
    )
    declared = declared_size(data, detected)
    if declared is not None and not _pixels_ok(declared, documents, analysis):
        return None
    too_much_work = decode_work_problem(data, detected, documents)
    if too_much_work is not None:
        analysis.add("decode_work", False, too_much_work)
        return None
    with quiet_decoders():
        try:
            image = open_image(data, detected)
        except Image.DecompressionBombError:
            _pixel_bomb(None, documents, analysis)
            return None
        except Exception:  # Any failure to parse a hostile header is "unreadable".
            analysis.add("readable", False, unreadable)
            return None
        with image:
            width, height = image.size
            if width < 1 or height < 1:
                analysis.add("readable", False, unreadable)
                return None
            if declared is None and not _pixels_ok((width, height), documents, analysis):
                return None
            orientation = exif_orientation(image)
            analysis.cmyk = image.mode == "CMYK" and detected is JPEG
            try:
                rgb = orient(_decode_small(image), orientation)
            except Exception:  # Truncated or corrupt picture data.
                analysis.add("readable", False, unreadable)
                return None
    analysis.decoded = True
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    analysis.width, analysis.height = width, height
    analysis.add("readable", True, f"Gambar dapat dibaca utuh ({width}×{height} piksel).")
    _orientation(orientation, analysis)
    return rgb, width, height


def _orientation(orientation: int, analysis: Analysis) -> None:
    if orientation == 1:
        analysis.add("orientation_exif", True, "Orientasi gambar tersimpan normal.")
    else:
        analysis.add(
            "orientation_exif",
            False,
            f"Gambar menyimpan penanda orientasi EXIF {orientation} "
            f"({_ORIENTATION_TEXT[orientation]}); tidak semua aplikasi menampilkannya dengan "
            "benar. Salinan sesuai ketentuan dapat memutarnya secara permanen.",
            fixable=True,
        )


def _portrait(width: int, height: int, analysis: Analysis) -> None:
    """Upright: taller than wide, as displayed (after the EXIF orientation)."""
    if height > width:
        analysis.add("portrait", True, f"Foto tegak (potret), {width}×{height} piksel.")
    else:
        analysis.add(
            "portrait",
            False,
            f"Foto tampil {'persegi' if width == height else 'mendatar (lanskap)'} "
            f"{width}×{height} piksel; pas foto harus tegak (potret). Foto ulang dengan "
            "posisi tegak, tinggi lebih besar daripada lebar.",
        )


def _pixels_ok(size: tuple[int, int], documents: DocumentPolicy, analysis: Analysis) -> bool:
    width, height = size
    if width * height > documents.max_pixels:
        _pixel_bomb(size, documents, analysis)
        return False
    analysis.add(
        "pixels",
        True,
        f"Ukuran gambar {width}×{height} piksel dalam batas {megapixels(documents.max_pixels)}.",
    )
    return True


def _pixel_bomb(
    size: tuple[int, int] | None, documents: DocumentPolicy, analysis: Analysis
) -> None:
    declared = (
        f"ukuran {size[0]}×{size[1]} piksel ({megapixels(size[0] * size[1])})"
        if size
        else "jumlah piksel yang sangat besar"
    )
    analysis.add(
        "pixels",
        False,
        f"Gambar menyatakan {declared}, melebihi batas "
        f"{megapixels(documents.max_pixels)}; berkas seperti ini dapat membuat komputer macet "
        "sehingga tidak dibuka. Minta foto atau pindaian dengan resolusi biasa.",
    )


def _decode_small(image: Image.Image) -> Image.Image:
    """Decode every byte of the picture (so truncation shows) into an RGB copy whose long
    edge is at most ANALYSIS_EDGE."""
    width, height = image.size
    scale = ANALYSIS_EDGE / max(width, height)
    if scale < 1:
        # For a JPEG, decode at 1/2, 1/4 or 1/8 scale directly: far faster, same verdict.
        image.draft(image.mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    image.load()
    rgb = flatten(image, keep_grey=False)
    if max(rgb.size) > ANALYSIS_EDGE:
        rgb.thumbnail((ANALYSIS_EDGE, ANALYSIS_EDGE), Image.Resampling.BILINEAR)
    return rgb


def _colour(rgb: Image.Image, documents: DocumentPolicy, analysis: Analysis) -> None:
    """Colour or grey: the share of pixels whose chroma (max - min of R, G, B) exceeds the
    policy, counted on flat areas only. Scanners and lenses paint false colour fringes along
    black text; a sharp light/dark edge there is left out, while the blue of a KTP, a stamp
    or a photo covers flat areas and counts."""
    policy = documents.colour
    red, green, blue = rgb.split()
    highest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    lowest = ImageChops.darker(ImageChops.darker(red, green), blue)
    chroma = ImageChops.subtract(highest, lowest)
    edges = rgb.convert("L").filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(3))
    flat = edges.point([255 if v < policy.edge_contrast else 0 for v in range(256)])
    histogram = chroma.histogram(mask=flat)
    if sum(histogram) < _MIN_FLAT_SHARE * rgb.width * rgb.height:
        histogram = chroma.histogram()  # all texture, no flat area to judge: use everything
    fraction = sum(histogram[policy.pixel_chroma + 1 :]) / max(1, sum(histogram))
    if fraction >= policy.min_coloured_fraction:
        analysis.add(
            "colour", True, f"Gambar berwarna ({percent(fraction)} bagian gambar berwarna)."
        )
    else:
        analysis.add(
            "colour",
            False,
            f"Gambar tampak hitam-putih/abu-abu (hanya {percent(fraction)} bagian gambar "
            f"berwarna, perlu paling sedikit {percent(policy.min_coloured_fraction)}). Pindai "
            "ulang dokumen asli dengan mode Warna (Color), bukan Grayscale/Hitam-putih dan "
            "bukan dari fotokopi, atau foto ulang dengan kamera berwarna.",
        )


def _band_mask(hsv: Image.Image, documents: DocumentPolicy) -> Image.Image:
    """255 where a pixel of an HSV picture is blue by the policy, 0 elsewhere."""
    policy = documents.blue_background
    low = policy.hue_min / 360 * 255
    high = policy.hue_max / 360 * 255
    if low <= high:
        hue_lut = [255 if low <= h <= high else 0 for h in range(256)]
    else:  # a range that wraps around 0°
        hue_lut = [255 if h >= low or h <= high else 0 for h in range(256)]
    sat_lut = [255 if s >= policy.min_saturation * 255 else 0 for s in range(256)]
    val_lut = [255 if v >= policy.min_value * 255 else 0 for v in range(256)]
    hue, sat, val = hsv.split()
    return ImageChops.multiply(
        ImageChops.multiply(hue.point(hue_lut), sat.point(sat_lut)), val.point(val_lut)
    )


def _blue_background(rgb: Image.Image, documents: DocumentPolicy, analysis: Analysis) -> None:
    band = documents.blue_background.band
    width, height = rgb.size
    band_h = max(1, round(height * band))
    band_w = max(1, round(width * band))
    mask = _band_mask(rgb.convert("HSV"), documents)
    boxes = [
        (0, 0, width, band_h),  # top
        (0, band_h, band_w, height),  # left, below the top band
        (max(band_w, width - band_w), band_h, width, height),  # right
    ]
    blue = 0
    total = 0
    for box in boxes:
        region = mask.crop(box)
        blue += region.histogram()[255]
        total += region.width * region.height
    fraction = blue / total if total else 0.0
    needed = documents.blue_background.min_fraction
    if fraction >= needed:
        analysis.add(
            "blue_background",
            True,
            f"Latar belakang biru ({percent(fraction)} tepi foto berwarna biru).",
        )
    else:
        analysis.add(
            "blue_background",
            False,
            f"Latar belakang bukan biru (hanya {percent(fraction)} tepi foto berwarna biru, "
            f"perlu paling sedikit {percent(needed)}). Foto ulang dengan latar belakang biru "
            "polos.",
        )
