"""WebVTT captions from the cues a scene records while it plays (``ConvScene.cue``).

A cue's text is built from the same trace values as what is on screen at that moment; its
start is the scene's clock when the beat begins, its end the next cue's start.
"""

from __future__ import annotations


def timestamp(seconds: float) -> str:
    """``HH:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def webvtt(cues: list[tuple[float, str]], end: float) -> str:
    """A WebVTT file: each ``(start, text)`` cue lasts until the next one, the last until
    ``end``. Cues that would last no time are dropped."""
    lines = ["WEBVTT", ""]
    ordered = sorted(cues, key=lambda cue: cue[0])
    number = 0
    for k, (start, text) in enumerate(ordered):
        stop = ordered[k + 1][0] if k + 1 < len(ordered) else end
        stop = min(stop, end)
        if stop - start < 0.001:
            continue
        number += 1
        lines += [str(number), f"{timestamp(start)} --> {timestamp(stop)}", text, ""]
    return "\n".join(lines)
