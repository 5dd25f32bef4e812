"""Save frames of a rendered video as PNGs, and a contact sheet, for looking at them.

    .venv/bin/python scripts/frames.py media/sliding.mp4 2 8 15 --out /tmp/frames
    (times in seconds; without times: 6 frames evenly spaced)

Writes ``<stem>_<time>.png`` per frame and ``<stem>_sheet.png`` (all frames, 2 columns).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av
from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("times", type=float, nargs="*")
    parser.add_argument("--out", type=Path, default=Path("/tmp/frames"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with av.open(str(args.video)) as container:
        stream = container.streams.video[0]
        duration = float(container.duration / av.time_base)
        times = sorted(args.times) or [duration * (k + 0.5) / 6 for k in range(6)]
        images, pending = [], list(times)
        for frame in container.decode(stream):
            while pending and frame.time >= pending[0]:
                path = args.out / f"{args.video.stem}_{pending.pop(0):06.2f}.png"
                frame.to_image().save(path)
                images.append(Image.open(path))
            if not pending:
                break
    print(f"{args.video}: {duration:.2f} s, {stream.frames} frames at {stream.average_rate} fps")
    if images:
        w, h = images[0].size
        sheet = Image.new("RGB", (w * 2, h * ((len(images) + 1) // 2)))
        for k, im in enumerate(images):
            sheet.paste(im, ((k % 2) * w, (k // 2) * h))
        sheet.save(args.out / f"{args.video.stem}_sheet.png")
        print(f"saved {len(images)} frames and {args.video.stem}_sheet.png in {args.out}")


if __name__ == "__main__":
    main()
