#!/usr/bin/env python3
"""Fixture images and reference pixel tensors for dev.radar.scoring.image (issue 12, "Image loading and preprocessing").

Run with the pinned environment (models/setup-venv.sh -> /work/main/.venv: pillow 11.3.0, torch 2.7.1,
torchvision 0.22.1, transformers 4.57.1, qwen-vl-utils 0.0.14):

    python models/golden/images/make_image_golden.py --fixtures          # rewrite fixtures/ and golden-small.json
    python models/golden/images/make_image_golden.py --out target/golden-images   # full tensors for the Java test

--fixtures (re)creates the committed fixture images deterministically and the committed small goldens
(shapes, grids, tile counts, sums, sampled elements: even the tiny image becomes a full-size tensor). --out writes, for
every fixture and family, the full float32 tensor (little-endian, row-major) plus manifest.json; the JUnit test
ImageProcessorsGoldenTest compares the Java output with them element by element. The fixtures are read back from
disk in both modes, so the goldens always describe the committed files. Two fixtures are not made here, because
Pillow cannot encode them: fixtures/ycck.jpg (YCCK JPEG, Adobe transform 2, as Photoshop writes CMYK) and
fixtures/s440.jpg (4:4:0 chroma subsampling) come from the JDK's JPEG writer via
src/test/java/dev/radar/scoring/image/JdkJpegFixtureWriter.java; their reference tensors are computed here like
every other fixture's.

What each family's reference does, and how this script reaches it:
- qwen2-vl: the reference (Qwen2VL/qwen2vl_pretrained_mllm_eval.py) calls qwen_vl_utils.process_vision_info on
  messages whose image elements carry only a path, so fetch_image runs with its own defaults (4..16384 tokens,
  factor 28): to_rgb (RGBA composited over white, every other mode convert("RGB")), smart_resize, PIL
  Image.resize (default filter: BICUBIC for RGB). The processor is AutoProcessor.from_pretrained(path,
  min_pixels=256*28*28, max_pixels=768*28*28); its AutoImageProcessor turns the checkpoint's
  "Qwen2VLImageProcessor" into Qwen2VLImageProcessorFast (FORCE_FAST_IMAGE_PROCESSOR, torchvision installed) in
  both the reference's vendored transformers (4.57.0.dev0) and 4.57.1. Here we call the REAL code:
  qwen_vl_utils.fetch_image and AutoImageProcessor.from_pretrained on a directory holding Qwen2-VL-2B's
  preprocessor_config.json (written offline below), with the same min/max pixels.
- internvl3.5: InternVL/intern3_5vl_pretrained_mllm_eval.py is a script, not an installed package, so its
  load_image / dynamic_preprocess / find_closest_aspect_ratio / build_transform are transcribed step by step
  below (our own code, same calls into PIL and torchvision.transforms), with max_num=3, image_size=448.
- llava-onevision: LLaVA-NeXT is not installed either; process_images (image_aspect_ratio "square" -> the
  else branch) with SigLipImageProcessor.preprocess is transcribed step by step using transformers'
  image_transforms.resize / rescale / normalize (the functions the reference calls).
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SMALL_GOLDEN = os.path.join(HERE, "golden-small.json")
SAMPLES_PER_TENSOR = 200

QWEN_MIN_PIXELS = 256 * 28 * 28
QWEN_MAX_PIXELS = 768 * 28 * 28
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


# ----------------------------------------------------------------------------------------------------------------
# fixtures
# ----------------------------------------------------------------------------------------------------------------
def photo_like(width, height, seed, noise=18.0):
    """Gradients, a few hard edges, circles and noise: exercises every tap of the resampling filters."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 255 * (x / max(width - 1, 1))
    g = 255 * (y / max(height - 1, 1))
    b = 127.5 + 127.5 * np.sin(x / 37.0) * np.cos(y / 23.0)
    img = np.stack([r, g, b], axis=-1)
    # hard-edged rectangles and a checkerboard patch (worst case for ringing / clipping)
    img[height // 5: height // 3, width // 6: width // 2] = (250, 10, 30)
    img[height // 2: height // 2 + height // 8, width // 2: width - width // 7] = (5, 5, 5)
    cb = ((x // 4 + y // 4) % 2 == 0)[..., None]
    region = (x > width * 0.7) & (y > height * 0.7)
    img = np.where(region[..., None], np.where(cb, 255.0, 0.0), img)
    cy, cx = height * 0.3, width * 0.75
    circle = (x - cx) ** 2 + (y - cy) ** 2 < (min(width, height) * 0.12) ** 2
    img[circle] = (30, 200, 90)
    img = img + rng.normal(0.0, noise, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    out = {}

    def save(name, im, **kw):
        path = os.path.join(FIXTURES, name)
        im.save(path, **kw)
        out[name] = path

    save("photo_large.jpg", Image.fromarray(photo_like(1600, 1200, 1, noise=10.0)), quality=88)
    save("rgb.jpg", Image.fromarray(photo_like(640, 480, 2)), quality=85)
    save("rgb444.jpg", Image.fromarray(photo_like(333, 251, 3)), quality=92, subsampling=0)
    save("gray.jpg", Image.fromarray(photo_like(300, 220, 4)).convert("L"), quality=90)
    save("tall.png", Image.fromarray(photo_like(300, 900, 5, noise=6.0)))
    save("wide.png", Image.fromarray(photo_like(1000, 260, 6, noise=6.0)))
    save("tiny.png", Image.fromarray(photo_like(5, 3, 7)))
    # exactly 3:2: InternVL's find_closest_aspect_ratio ties (1,1) and (2,1); the area rule decides
    save("tie_large.png", Image.fromarray(photo_like(600, 400, 8, noise=4.0)))
    save("tie_small.png", Image.fromarray(photo_like(300, 200, 9, noise=4.0)))

    rgb = photo_like(400, 300, 10, noise=4.0)
    yy, xx = np.mgrid[0:300, 0:400]
    alpha = np.clip(xx * 255 / 399 + 60 * np.sin(yy / 9.0), 0, 255).astype(np.uint8)
    alpha[:40, :] = 0          # fully transparent band (colour underneath is kept by convert("RGB"))
    alpha[-40:, :] = 255
    save("rgba.png", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))

    la = np.dstack([photo_like(240, 180, 11)[..., 0], alpha[:180, :240]])
    save("la.png", Image.fromarray(la, "LA"))

    pal_src = Image.fromarray(photo_like(320, 240, 12, noise=3.0)).quantize(colors=64, dither=Image.Dither.NONE)
    trns = bytes([0, 128] + [255] * 62)  # index 0 fully transparent, index 1 half transparent
    save("palette_trns.png", pal_src, transparency=trns)

    save("gray.png", Image.fromarray(photo_like(256, 200, 13)).convert("L"))

    # 16-bit grayscale: Pillow opens it as "I;16" and convert("RGB") clips values above 255 to 255; keep a band of
    # small values so both branches of that conversion are exercised
    g16 = (photo_like(300, 200, 14)[..., 1].astype(np.uint32) * 257).astype(np.uint16)
    g16[:, :60] = (g16[:, :60] // 200).astype(np.uint16)
    save("gray16.png", Image.fromarray(g16, "I;16"))

    # 16-bit RGB PNG (Pillow keeps the high byte of each sample), written with the PNG encoder directly
    write_png(os.path.join(FIXTURES, "rgb16.png"), photo_like(200, 150, 15).astype(np.uint16) * 257 + 77, 16, 2)
    out["rgb16.png"] = os.path.join(FIXTURES, "rgb16.png")

    cmyk = Image.fromarray(photo_like(400, 300, 16, noise=6.0)).convert("CMYK")
    save("cmyk.jpg", cmyk, quality=90)

    # more PNG layouts, small: 16-bit gray+alpha (opens as "RGBA": qwen composites it), 16-bit RGBA, 1-bit and 2-bit
    # gray, 4-bit palette, and tRNS on RGB / 16-bit gray (Pillow keeps mode "RGB" / "I;16": nothing is composited)
    px = photo_like(48, 36, 22)
    px[:8, :8] = (1, 2, 3)
    la16 = np.dstack([px[..., 0].astype(np.uint16) * 257, (px[..., 1].astype(np.uint16) * 250)])
    write_png(os.path.join(FIXTURES, "la16.png"), la16, 16, 4)
    rgba16 = np.dstack([px.astype(np.uint16) * 257 + 3, px[..., 2].astype(np.uint16) * 256])
    write_png(os.path.join(FIXTURES, "rgba16.png"), rgba16, 16, 6)
    save("bit1.png", Image.fromarray(px).convert("1"))
    save("gray2.png", Image.fromarray((px[..., 0] // 64 * 85).astype(np.uint8)), bits=2)
    save("palette4.png", Image.fromarray(px).quantize(colors=16), bits=4)
    save("rgb_trns.png", Image.fromarray(px), transparency=(1, 2, 3))
    g16t = px[..., 1].astype(np.uint16)
    g16t[:, :16] *= 257
    save("gray16_trns.png", Image.fromarray(g16t, "I;16"), transparency=300)

    # a gAMA chunk (Pillow ignores it, so must we); BMP and GIF (mode "P") through the same loaders
    from PIL import PngImagePlugin
    gamma = PngImagePlugin.PngInfo()
    gamma.add(b"gAMA", (100000).to_bytes(4, "big"))
    save("gamma.png", Image.fromarray(photo_like(80, 60, 19)), pnginfo=gamma)
    save("small.bmp", Image.fromarray(photo_like(60, 45, 20)))
    save("small.gif", Image.fromarray(photo_like(80, 60, 21)).convert("P"))

    small = Image.fromarray(photo_like(160, 120, 17))
    save("progressive.jpg", small, quality=85, progressive=True)
    save("s422.jpg", small, quality=85, subsampling=1)
    # an embedded ICC profile: Pillow ignores it (the JDK's ImageIO.read would colour-convert)
    from PIL import ImageCms
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = (2020).to_bytes(2, "big") + bytes([0, 1, 0, 1] + [0] * 6)  # fixed creation date: reproducible file
    icc[84:100] = bytes(16)  # profile ID 0 = "not computed" (the date change would invalidate lcms' MD5)
    save("icc.jpg", small, quality=85, icc_profile=bytes(icc))
    # camera-style file: Exif (orientation 6 = rotate 90, which no reference applies) and no JFIF marker, so libjpeg
    # decides YCbCr from the component ids
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    Image.fromarray(photo_like(150, 100, 18)).save(buf, "JPEG", quality=85, exif=exif.tobytes())
    data = buf.getvalue()
    assert data[2:4] == b"\xff\xe0"  # APP0 (JFIF) right after SOI
    app0_end = 4 + int.from_bytes(data[4:6], "big")
    with open(os.path.join(FIXTURES, "exif_nojfif.jpg"), "wb") as f:
        f.write(data[:2] + data[app0_end:])
    out["exif_nojfif.jpg"] = os.path.join(FIXTURES, "exif_nojfif.jpg")
    return out


def write_png(path, arr16, bit_depth, color_type):
    """A 16-bit PNG written chunk by chunk (Pillow's encoder cannot write 16-bit RGB / RGBA / gray+alpha)."""
    import struct
    import zlib
    h, w = arr16.shape[:2]
    raw = b"".join(b"\x00" + arr16[row].astype(">u2").tobytes() for row in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


# ----------------------------------------------------------------------------------------------------------------
# references
# ----------------------------------------------------------------------------------------------------------------
_QWEN_PROCESSOR = None


def qwen_image_processor():
    """AutoImageProcessor exactly as the reference's AutoProcessor builds it, from Qwen2-VL-2B's config (offline)."""
    global _QWEN_PROCESSOR
    if _QWEN_PROCESSOR is None:
        from transformers import AutoImageProcessor
        d = tempfile.mkdtemp(prefix="qwen2vl-preproc-")
        with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
            json.dump({"min_pixels": 3136, "max_pixels": 12845056, "patch_size": 14, "temporal_patch_size": 2,
                       "merge_size": 2, "image_mean": CLIP_MEAN, "image_std": CLIP_STD,
                       "image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2VLProcessor"}, f)
        _QWEN_PROCESSOR = AutoImageProcessor.from_pretrained(d, min_pixels=QWEN_MIN_PIXELS,
                                                              max_pixels=QWEN_MAX_PIXELS)
        assert type(_QWEN_PROCESSOR).__name__ == "Qwen2VLImageProcessorFast", type(_QWEN_PROCESSOR)
    return _QWEN_PROCESSOR


def qwen_patch_positions(grid_t, grid_h, grid_w, merge=2):
    """(row, col) per patch in the order Qwen2VisionTransformer.rot_pos_emb derives from grid_thw."""
    hpos = np.repeat(np.arange(grid_h)[:, None], grid_w, axis=1)
    wpos = np.repeat(np.arange(grid_w)[None, :], grid_h, axis=0)

    def window_order(p):
        return p.reshape(grid_h // merge, merge, grid_w // merge, merge).transpose(0, 2, 1, 3).reshape(-1)

    pos = np.stack([window_order(hpos), window_order(wpos)], axis=-1)
    return np.tile(pos, (grid_t, 1)).astype(np.int64)


def reference_qwen2vl(path):
    from qwen_vl_utils import fetch_image
    image = fetch_image({"type": "image", "image": path})
    out = qwen_image_processor()(images=[image], return_tensors="pt")
    pixels = out["pixel_values"].numpy().astype(np.float32)
    t, h, w = [int(v) for v in out["image_grid_thw"][0]]
    return {"pixels": pixels, "grid": [t, h, w], "patchPos": qwen_patch_positions(t, h, w).reshape(-1).tolist(),
            "tiles": 1, "visualTokens": t * h * w // 4}


def _internvl_closest_ratio(aspect_ratio, target_ratios, width, height, image_size):
    # transcription of find_closest_aspect_ratio (InternVL3.5 script): strict improvement wins; on an exact tie the
    # later ratio wins only when the image area exceeds half the tiled area
    best_diff = float("inf")
    best = (1, 1)
    area = width * height
    for ratio in target_ratios:
        diff = abs(aspect_ratio - ratio[0] / ratio[1])
        if diff < best_diff:
            best_diff = diff
            best = ratio
        elif diff == best_diff and area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
            best = ratio
    return best


def _internvl_dynamic_tiles(image, max_num, image_size):
    # transcription of dynamic_preprocess(min_num=1, max_num, image_size, use_thumbnail=True)
    width, height = image.size
    ratios = set((i, j) for n in range(1, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                 if 1 <= i * j <= max_num)
    ratios = sorted(ratios, key=lambda r: r[0] * r[1])
    cols, rows = _internvl_closest_ratio(width / height, ratios, width, height, image_size)
    resized = image.resize((image_size * cols, image_size * rows))
    tiles = []
    for k in range(cols * rows):
        left, top = (k % cols) * image_size, (k // cols) * image_size
        tiles.append(resized.crop((left, top, left + image_size, top + image_size)))
    if len(tiles) != 1:
        tiles.append(image.resize((image_size, image_size)))
    return tiles


def reference_internvl(path, max_num=3, image_size=448):
    import torch
    import torchvision.transforms as T
    from torchvision.transforms.functional import InterpolationMode
    image = Image.open(path).convert("RGB")
    transform = T.Compose([
        T.Lambda(lambda img: img.convert("RGB") if img.mode != "RGB" else img),
        T.Resize((image_size, image_size), interpolation=InterpolationMode.BICUBIC),
        T.ToTensor(),
        T.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD),
    ])
    tiles = _internvl_dynamic_tiles(image, max_num, image_size)
    pixels = torch.stack([transform(t) for t in tiles]).numpy().astype(np.float32)
    return {"pixels": pixels, "grid": None, "patchPos": None, "tiles": len(tiles), "visualTokens": 256 * len(tiles)}


def reference_llava(path, size=384):
    # transcription of llava.mm_utils.process_images (image_aspect_ratio "square" -> else branch) and
    # SigLipImageProcessor.preprocess: to_numpy_array, convert_to_rgb, resize(BICUBIC), rescale(1/255),
    # normalize(0.5, 0.5), channels first
    from transformers.image_transforms import normalize, rescale, resize
    from transformers.image_utils import ChannelDimension, PILImageResampling, to_numpy_array
    image = to_numpy_array(Image.open(path).convert("RGB"))
    image = resize(image, size=(size, size), resample=PILImageResampling.BICUBIC, data_format=ChannelDimension.FIRST)
    image = rescale(image, scale=1 / 255, data_format=ChannelDimension.FIRST)
    image = normalize(image, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), data_format=ChannelDimension.FIRST)
    pixels = np.asarray(image, dtype=np.float32)[None]
    return {"pixels": pixels, "grid": None, "patchPos": None, "tiles": 1, "visualTokens": 729}


def resample_sweep(out_dir, count=60):
    """Random images resized by Pillow (bicubic, bilinear) and torch uint8 antialiased bicubic over many size pairs
    (up, down, one axis only, extreme ratios): proves the Java resamplers byte for byte beyond the fixtures."""
    import torch
    from torchvision.transforms.v2 import functional as F
    rng = np.random.default_rng(1234)
    cases = []
    for i in range(count):
        w, h = int(rng.integers(1, 300)), int(rng.integers(1, 300))
        if i % 5 == 0:
            ow, oh = w, int(rng.integers(1, 400))          # vertical pass only
        elif i % 5 == 1:
            ow, oh = int(rng.integers(1, 400)), h          # horizontal pass only
        elif i % 5 == 2:
            ow, oh = max(1, w // int(rng.integers(2, 9))), max(1, h // int(rng.integers(2, 9)))  # strong shrink
        else:
            ow, oh = int(rng.integers(1, 400)), int(rng.integers(1, 400))
        src = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
        if i % 3 == 0:  # smooth content too: clipping and rounding near mid-range values
            src = photo_like(w, h, 100 + i, noise=2.0)
        im = Image.fromarray(src)
        pil_bicubic = np.asarray(im.resize((ow, oh), Image.Resampling.BICUBIC))
        pil_bilinear = np.asarray(im.resize((ow, oh), Image.Resampling.BILINEAR))
        t = torch.from_numpy(np.ascontiguousarray(src.transpose(2, 0, 1)))
        torch_bicubic = F.resize(t, [oh, ow], interpolation=F.InterpolationMode.BICUBIC, antialias=True)
        torch_bicubic = torch_bicubic.numpy().transpose(1, 2, 0)
        file = f"resample-{i:03d}.u8"
        with open(os.path.join(out_dir, file), "wb") as f:
            for a in (src, pil_bicubic, pil_bilinear, torch_bicubic):
                f.write(np.ascontiguousarray(a, dtype=np.uint8).tobytes())
        cases.append({"file": file, "width": w, "height": h, "outWidth": ow, "outHeight": oh})
    return cases


FAMILIES = {"qwen2-vl": reference_qwen2vl, "internvl3.5": reference_internvl, "llava-onevision": reference_llava}


def size_rules():
    """The size decisions on their own, over many image sizes (ties and extremes included): Qwen2-VL's two
    smart_resize calls (the real qwen_vl_utils and transformers functions) and InternVL's tile grid."""
    from qwen_vl_utils.vision_process import smart_resize as fetch_smart_resize
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import smart_resize as processor_smart_resize
    rng = np.random.default_rng(99)
    sizes = [(int(rng.integers(1, 5000)), int(rng.integers(1, 5000))) for _ in range(300)]
    sizes += [(int(rng.integers(1, 120)), int(rng.integers(1, 120))) for _ in range(100)]
    sizes += [(28 * k + 14, 28 * j + 14) for k in range(0, 6) for j in range(0, 6)]  # round-half-to-even
    sizes += [(1, 200), (1, 201), (3, 600), (2, 401), (5000, 25), (7, 1400), (1, 1), (448, 448), (400, 600),
              (200, 300), (300, 200), (600, 400), (800, 1000), (1000, 800), (448, 896), (897, 448)]
    qwen = []
    for h, w in sizes:
        try:
            fh, fw = fetch_smart_resize(h, w, 28, 4 * 28 * 28, 16384 * 28 * 28)
            ph, pw = processor_smart_resize(fh, fw, 28, QWEN_MIN_PIXELS, QWEN_MAX_PIXELS)
            qwen.append([h, w, fh, fw, ph, pw])
        except ValueError:
            qwen.append([h, w, None, None, None, None])
    ratios = sorted(set((i, j) for n in range(1, 4) for i in range(1, n + 1) for j in range(1, n + 1)
                        if 1 <= i * j <= 3), key=lambda r: r[0] * r[1])
    internvl = [[w, h] + list(_internvl_closest_ratio(w / h, ratios, w, h, 448)) for h, w in sizes]
    return {"qwen2vl": qwen, "internvl": internvl}


def fixture_names():
    return sorted(n for n in os.listdir(FIXTURES) if not n.startswith("."))


def small_golden_entry(name, family, ref):
    px = np.ascontiguousarray(ref["pixels"], dtype="<f4")
    flat = px.reshape(-1)
    seed = int(hashlib.sha256(f"{name}/{family}".encode()).hexdigest()[:8], 16)
    idx = np.sort(np.random.default_rng(seed).choice(flat.size, size=min(SAMPLES_PER_TENSOR, flat.size),
                                                     replace=False))
    entry = {"fixture": name, "family": family, "shape": list(px.shape), "grid": ref["grid"],
             "tiles": ref["tiles"], "visualTokens": ref["visualTokens"],
             "sum": float(flat.astype(np.float64).sum()), "sumAbs": float(np.abs(flat.astype(np.float64)).sum()),
             "sampleIndex": idx.tolist(), "sampleValue": [float(v) for v in flat[idx]]}
    if ref["patchPos"] is not None:
        entry["patchPosHead"] = ref["patchPos"][:64]
        entry["patchPosSha256"] = hashlib.sha256(np.asarray(ref["patchPos"], dtype="<i8").tobytes()).hexdigest()
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixtures", action="store_true", help="rewrite the committed fixtures and golden-small.json")
    ap.add_argument("--out", help="directory for the full float32 tensors and manifest.json")
    args = ap.parse_args()
    if not args.fixtures and not args.out:
        ap.error("give --fixtures and/or --out")
    if args.fixtures:
        make_fixtures()
    small, manifest = [], []
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for name in fixture_names():
        path = os.path.join(FIXTURES, name)
        for family, fn in FAMILIES.items():
            ref = fn(path)
            if args.fixtures:
                small.append(small_golden_entry(name, family, ref))
            if args.out:
                file = f"{name}.{family}.f32"
                np.ascontiguousarray(ref["pixels"], dtype="<f4").tofile(os.path.join(args.out, file))
                manifest.append({"fixture": name, "family": family, "file": file,
                                 "shape": list(ref["pixels"].shape), "grid": ref["grid"], "tiles": ref["tiles"],
                                 "visualTokens": ref["visualTokens"], "patchPos": ref["patchPos"]})
            print(f"{name:18s} {family:16s} shape={list(ref['pixels'].shape)} grid={ref['grid']} "
                  f"tiles={ref['tiles']}", file=sys.stderr)
    if args.fixtures:
        with open(SMALL_GOLDEN, "w") as f:
            json.dump({"generator": "models/golden/images/make_image_golden.py", "versions": versions(),
                       "sizeRules": size_rules(), "cases": small}, f, separators=(",", ":"))
    if args.out:
        sweep = resample_sweep(args.out)
        with open(os.path.join(args.out, "manifest.json"), "w") as f:
            json.dump({"versions": versions(), "cases": manifest, "resample": sweep}, f)


def versions():
    import PIL
    import qwen_vl_utils  # noqa: F401
    import torch
    import torchvision
    import transformers
    from importlib.metadata import version
    return {"pillow": PIL.__version__, "torch": torch.__version__, "torchvision": torchvision.__version__,
            "transformers": transformers.__version__, "qwen-vl-utils": version("qwen-vl-utils"),
            "numpy": np.__version__}


if __name__ == "__main__":
    main()
