"""Labels and captions in English or Chinese (the source article is Chinese).

Scenes write English templates and pass them through :func:`tr`; Chinese text needs a CJK
font (Debian's ``fonts-noto-cjk``, installed by ``scripts/setup.sh``), which Pango picks
automatically for CJK characters. A template without a translation stays English.
"""

from __future__ import annotations

LANGS = ("en", "zh")

ZH = {
    # sliding window
    "Convolution: the sliding window": "卷积：滑动窗口",
    "cross-correlation, as in PyTorch's Conv2d · {params}": "互相关（与 PyTorch 的 Conv2d 相同）· {params}",
    "stride {stride}, padding {padding}, dilation {dilation}": "步幅 {stride}，填充 {padding}，膨胀 {dilation}",
    ", bias {bias}": "，偏置 {bias}",
    "input {shape}": "输入 {shape}",
    "input {shape} padded to {padded}": "输入 {shape}，填充后 {padded}",
    "kernel {shape}": "卷积核 {shape}",
    "kernel {shape}, dilation {dilation}": "卷积核 {shape}，膨胀 {dilation}",
    "output {shape}": "输出 {shape}",
    "the same loop in convcore (convcore.functional.conv2d_direct):": "convcore 中的同一个循环（convcore.functional.conv2d_direct）：",
    "{n} window positions → {n} output values, each a sum of {m} products": "{n} 个窗口位置 → {n} 个输出值，每个都是 {m} 个乘积之和",
    "The sliding window: a {kernel} kernel over a {input} input ({params}).": "滑动窗口：{kernel} 卷积核在 {input} 输入上滑动（{params}）。",
    "Output size: {lines}": "输出尺寸：{lines}",
    "Position ({i}, {j}): {equation}": "位置 ({i}, {j})：{equation}",
    "bias": "偏置",
    # -- training, initialization, im2col, matmul (insert below this line) --
    # -- output-size, receptive-field, multichannel (insert below this line) --
}


def tr(template: str, lang: str, **values) -> str:
    """``template`` in ``lang`` with ``values`` filled in (English when untranslated)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    text = ZH.get(template, template) if lang == "zh" else template
    return text.format(**values) if values else text
