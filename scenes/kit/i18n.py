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
    "(top/bottom/left/right)": "（上/下/左/右）",
    # -- training, initialization, im2col, matmul (insert below this line) --
    # training
    "When are the kernel weights updated?": "卷积核权重何时更新？",
    "{title} {subtitle}.": "{title}{subtitle}。",
    "SGD lr {lr}": "SGD，学习率 {lr}",
    ", momentum {momentum}": "，动量 {momentum}",
    "{layers} · MSE loss · {sgd} · {epochs} epochs · {start}": (
        "{layers} · MSE 损失 · {sgd} · {epochs} 轮 · {start}"
    ),
    "the article's conv1 weights": "原文的 conv1 权重",
    "{scheme} init, seed {seed}": "{scheme} 初始化，随机种子 {seed}",
    "the starting point": "起点",
    "weights and biases of both layers,": "两层的权重和偏置，",
    "no activation in between": "中间没有激活函数",
    "Epoch {epoch}: the same phases; loss {loss}, and again only step() moves the weights.": (
        "第 {epoch} 轮：同样的几个阶段；损失 {loss}，仍然只有 step() 改变权重。"
    ),
    "# epoch {epoch}/{epochs}": "# 第 {epoch}/{epochs} 轮",
    "{head} — {rest}": "{head}——{rest}",
    "zero_grad(): old gradients cleared": "zero_grad()：清除旧梯度",
    ".grad set to None, drawn as 0": ".grad 置为 None，显示为 0",
    "forward: feature maps computed": "前向传播：计算特征图",
    "they are outputs, not parameters": "特征图是输出，不是参数",
    "loss: MSE of output and target": "损失：输出与目标的均方误差",
    "loss = mean((output − target)²)": "损失 = mean((输出 − 目标)²)",
    "backward(): .grad filled": "backward()：填入 .grad",
    "weights and biases unchanged,": "权重和偏置保持不变，",
    "e.g. {name}.weight[{i}, {j}]:": "例如 {name}.weight[{i}, {j}]：",
    "backward() wrote .grad only: weights and biases unchanged": (
        "backward() 只写入 .grad：权重和偏置保持不变"
    ),
    "step(): w' = w − lr·{direction}, every w": "step()：对每个 w，w' = w − lr·{direction}",
    "loss per epoch": "每轮的损失",
    "only step() changed the weights;": "只有 step() 改变了权重；",
    "the other phases left them alone": "其他阶段都没有改动它们",
    "{name} feature map {shape}": "{name} 特征图 {shape}",
    "bias.grad": "偏置梯度",
    "loss": "损失",
    "epoch": "轮次",
    # initialization
    "Initialising the kernel weights": "初始化卷积核权重",
    "each scheme fills one Conv2d weight of shape {shape} · numpy default_rng({seed})": (
        "每种方案填充一个形状为 {shape} 的 Conv2d 权重 · numpy default_rng({seed})"
    ),
    "{title}: {subtitle}.": "{title}：{subtitle}。",
    "{name}: {formula}. Suits {suits}.": "{name}：{formula}。适用于：{suits}。",
    "suits: {suits}": "适用于：{suits}",
    "Normal": "正态分布",
    "Uniform": "均匀分布",
    "Xavier (Glorot) uniform": "Xavier（Glorot）均匀分布",
    "Xavier (Glorot) normal": "Xavier（Glorot）正态分布",
    "Kaiming (He) normal": "Kaiming（He）正态分布",
    "Kaiming (He) uniform": "Kaiming（He）均匀分布",
    "Constant": "常数",
    "normal": "正态分布",
    "uniform": "均匀分布",
    "xavier uniform": "Xavier 均匀分布",
    "xavier normal": "Xavier 正态分布",
    "kaiming uniform": "Kaiming 均匀分布",
    "kaiming normal": "Kaiming 正态分布",
    "no activation in particular: std 1 ignores the layer's size, "
    "so activations grow layer after layer": (
        "不针对特定激活函数：std 1 不考虑层的大小，因此激活值逐层增大"
    ),
    "no activation in particular: every weight is positive, "
    "so all inputs push each output the same way": (
        "不针对特定激活函数：每个权重都为正，因此所有输入都把每个输出推向同一方向"
    ),
    "biases (val = 0), not weights: filters that start equal stay equal": (
        "偏置（val = 0），而非权重：初始相同的卷积核会一直相同"
    ),
    "sigmoid and tanh: keeps the variance of activations and "
    "gradients the same in both directions": (
        "sigmoid 和 tanh：在前向传播和反向传播中保持激活值与梯度的方差不变"
    ),
    "sigmoid and tanh: the normal twin of Xavier uniform, same std": (
        "sigmoid 和 tanh：Xavier 均匀分布的正态分布版本，标准差相同"
    ),
    "ReLU: gain √2 makes up for the half of the signal ReLU zeroes; "
    "PyTorch's default Conv2d init (with a = √5)": (
        "ReLU：增益 √2 弥补被 ReLU 置零的一半信号；PyTorch 中 Conv2d 的默认初始化（a = √5）"
    ),
    "ReLU (mode='fan_in', nonlinearity='relu'): gain √2 makes up "
    "for the half of the signal ReLU zeroes": (
        "ReLU（mode='fan_in', nonlinearity='relu'）：增益 √2 弥补被 ReLU 置零的一半信号"
    ),
    "count": "个数",
    "weight value": "权重值",
    "sample: mean {mean}, std {std}": "样本：均值 {mean}，标准差 {std}",
    "theory: mean {mean}, std {std}": "理论：均值 {mean}，标准差 {std}",
    "all {n} weights = {value}": "全部 {n} 个权重 = {value}",
    "bars: the sample": "柱：样本",
    "line: {theory}": "线：{theory}",
    "expected counts": "期望个数",
    "expected level, bounds": "期望高度与边界",
    "Why not a constant? Filters that start equal get equal gradients": (
        "为什么不用常数初始化？初始相同的卷积核得到相同的梯度"
    ),
    "{layers} · input {shape} · MSE loss · one backward()": (
        "{layers} · 输入 {shape} · MSE 损失 · 一次 backward()"
    ),
    "{question} {setup}.": "{question}。{setup}。",
    "all weights {val}": "所有权重为 {val}",
    "filter {f} .grad {shape}": "卷积核 {f} 的 .grad {shape}",
    "both filters equal": "两个卷积核相同",
    "random filters": "随机卷积核",
    "({how})": "（{how}）",
    "same gradients": "梯度相同",
    "different gradients": "梯度不同",
    "{start} {how}: {verdict}; .grad[0, 0] of filters 1 and 2: {first} and {second}.": (
        "{start}{how}：{verdict}；卷积核 1 和 2 的 .grad[0, 0]：{first} 和 {second}。"
    ),
    "After step() the constant filters are still equal: they stay copies, one feature.": (
        "step() 之后，常数初始化的卷积核仍然相同：它们始终是副本，只能学到一个特征。"
    ),
    "After step() the constant filters differ.": "step() 之后，常数初始化的卷积核不再相同。",
    # im2col
    "im2col: convolution as one matrix product": "im2col：把卷积变成一次矩阵乘法",
    "windows → columns, kernel → a row, one product, reshape · {params}": (
        "窗口 → 列，卷积核 → 行，一次乘法，再变形 · {params}"
    ),
    "im2col: each of the {n} windows becomes a column of a {patches} patch matrix; "
    "the kernel, flattened to a row, times it gives the output ({params}).": (
        "im2col：{n} 个窗口各自成为 {patches} 图像块矩阵的一列；"
        "卷积核展平成一行，与它相乘即得输出（{params}）。"
    ),
    "Column {col}: the window of out[{i}, {j}], {values}.": (
        "第 {col} 列：out[{i}, {j}] 的窗口，{values}。"
    ),
    "Columns {first}–{last}: the other windows, out[{i0}, {j0}] to "
    "out[{i1}, {j1}], the same way.": (
        "第 {first}–{last} 列：其余窗口 out[{i0}, {j0}] 到 out[{i1}, {j1}]，做法相同。"
    ),
    "The kernel flattened to a {shape} row: {values}.": "卷积核展平成 {shape} 的一行：{values}。",
    "out[{i}, {j}] = column {col} · kernel row = {equation}": (
        "out[{i}, {j}] = 第 {col} 列 · 卷积核行 = {equation}"
    ),
    "Every column the same way: the output row {values}.": (
        "每一列都这样计算：输出行为 {values}。"
    ),
    "The row reshaped to the {shape} output: the same numbers as conv2d's sliding window.": (
        "这一行变形为 {shape} 的输出：与 conv2d 滑动窗口算出的数字相同。"
    ),
    "input {shape}\npadded to {padded}": "输入 {shape}\n填充后 {padded}",
    "ch {c}": "通道 {c}",
    "patch matrix {shape}": "图像块矩阵 {shape}",
    "window for out[{i}, {j}] → column {col}": "out[{i}, {j}] 的窗口 → 第 {col} 列",
    "kernel row {shape}": "卷积核行 {shape}",
    "output row {shape}\n= kernel row · patch matrix": "输出行 {shape}\n= 卷积核行 · 图像块矩阵",
    "out[{i}, {j}] = column {col} · kernel row": "out[{i}, {j}] = 第 {col} 列 · 卷积核行",
    "output {shape} (the row, reshaped)": "输出 {shape}（由该行变形而来）",
    "conv2d(x, w) {shape}: sliding window": "conv2d(x, w) {shape}：滑动窗口",
    "same numbers: im2col is the sliding window, done as one matrix product": (
        "数字相同：im2col 就是滑动窗口，只是用一次矩阵乘法完成"
    ),
    "vectorised NumPy, im2col + one matmul: convcore.functional.conv2d_from_args": (
        "向量化的 NumPy 实现，im2col + 一次 matmul：convcore.functional.conv2d_from_args"
    ),
    "unfold: every window becomes a column → patch matrix {shape}": (
        "展开：每个窗口变成一列 → 图像块矩阵 {shape}"
    ),
    "flatten the kernel: one row per output channel → {shape}": (
        "展平卷积核：每个输出通道一行 → {shape}"
    ),
    "one product {kernel} · {patches} → {product}, reshaped to the output map {out}": (
        "一次乘法 {kernel} · {patches} → {product}，再变形为输出特征图 {out}"
    ),
    "add the bias {bias} to every output value": "给每个输出值加上偏置 {bias}",
    # matmul
    "Convolution as one matrix product": "卷积即一次矩阵乘法",
    "out = M · x with M the unrolled kernel; Mᵀ sends gradients back · {params}": (
        "out = M · x，M 为展开的卷积核；Mᵀ 把梯度传回 · {params}"
    ),
    "input x {shape}": "输入 x {shape}",
    "kernel w {shape}": "卷积核 w {shape}",
    "input x,\nflattened ({n})": "输入 x，\n展平（{n}）",
    "The {shape} input flattened to a vector x of {n} values.": (
        "{shape} 输入展平成含 {n} 个值的向量 x。"
    ),
    "M {shape}\nunrolled kernel": "M {shape}\n展开的卷积核",
    "M {shape}: row r holds the {kernel} kernel's entries at the input cells "
    "of output r's window, zeros elsewhere.": (
        "M {shape}：第 r 行把 {kernel} 卷积核的元素放在输出 r 的窗口所覆盖的输入格上，其余为零。"
    ),
    "{shape} = {total} cells: {nonzero} hold kernel entries, {zero} are structural zeros (dots)": (
        "{shape} = {total} 个格子：{nonzero} 个是卷积核元素，{zero} 个是结构性零（圆点）"
    ),
    "{shape} = {total} cells: {nonzero} kernel entries, {zero} zeros.": (
        "{shape} = {total} 个格子：{nonzero} 个卷积核元素，{zero} 个零。"
    ),
    "out[{out}] = row {r} · x": "out[{out}] = 第 {r} 行 · x",
    "Row {r} of M times x: {equation}": "M 的第 {r} 行乘以 x：{equation}",
    "M·x = the {n} outputs of conv2d(x, w), row by row": "M·x = conv2d(x, w) 的 {n} 个输出，逐行得到",
    "M·x = the {n} outputs of conv2d(x, w): {values}.": "M·x = conv2d(x, w) 的 {n} 个输出：{values}。",
    "g = {values} arrives at the {rows} outputs; Mᵀ·g will have {cols} entries.": (
        "g = {values} 到达 {rows} 个输出；Mᵀ·g 将有 {cols} 个元素。"
    ),
    "M {shape}, read by columns: column q of M = row q of Mᵀ": (
        "按列读 M {shape}：M 的第 q 列 = Mᵀ 的第 q 行"
    ),
    "Mᵀ ({shape}) maps {rows} values back onto {cols}: (Mᵀ·g)[q] = column q of M · g": (
        "Mᵀ（{shape}）把 {rows} 个值映射回 {cols} 个：(Mᵀ·g)[q] = M 的第 q 列 · g"
    ),
    "g = ∂L/∂out: the gradient arriving at the {rows} outputs": (
        "g = ∂L/∂out：到达 {rows} 个输出的梯度"
    ),
    "(Mᵀ·g)[{q}] = column {q} · g": "(Mᵀ·g)[{q}] = 第 {q} 列 · g",
    "Input cell {q} feeds {n} outputs: column {q} of M times g: {equation}": (
        "输入格 {q} 参与 {n} 个输出：M 的第 {q} 列乘以 g：{equation}"
    ),
    "Mᵀ·g is the backward pass: the gradient of Σ g·out with respect to x": (
        "Mᵀ·g 就是反向传播：Σ g·out 对 x 的梯度"
    ),
    "{caption}: Mᵀ·g = {values}.": "{caption}；Mᵀ·g = {values}。",
    "{first}; {second}": "{first}；{second}",
    "Mᵀ·g reshaped: ∂L/∂x {shape}": "Mᵀ·g 变形为 ∂L/∂x {shape}",
    "the backward pass of conv2d: the gradient with respect to its input x": (
        "conv2d 的反向传播：对其输入 x 的梯度"
    ),
    "= conv_transpose2d(g, w): a transposed convolution, {out} → {input}": (
        "= conv_transpose2d(g, w)：转置卷积，{out} → {input}"
    ),
    # -- output-size, receptive-field, multichannel (insert below this line) --
    # output size
    "Output size of a convolution": "卷积的输出尺寸",
    "the cases of Dumoulin & Visin, “A guide to convolution arithmetic for deep learning”": (
        "Dumoulin 与 Visin《A guide to convolution arithmetic for deep learning》中的各种情形"
    ),
    "your case": "自定义情形",
    "Your case": "自定义情形",
    "H: input size   P: padding on each side   K: kernel size": "H：输入尺寸   P：每侧填充   K：卷积核尺寸",
    "D: dilation   S: stride   ⌊ ⌋: round down": "D：膨胀   S：步幅   ⌊ ⌋：向下取整",
    "no padding, unit stride": "无填充，单位步幅",
    "arbitrary padding": "任意填充",
    'half ("same") padding': "半填充（“same”）",
    "full padding": "全填充",
    "no padding, stride 2": "无填充，步幅 2",
    "padding 1, stride 2": "填充 1，步幅 2",
    "padding 1, stride 2, odd size": "填充 1，步幅 2，奇数尺寸",
    "dilation 2": "膨胀 2",
    ", ": "，",
    "; ": "；",
    "{shape} input": "输入 {shape}",
    "stride {stride}": "步幅 {stride}",
    "padding {padding}": "填充 {padding}",
    "dilation {dilation}": "膨胀 {dilation}",
    "{name}: {params}": "{name}：{params}",
    "Case {n}/{total}": "情形 {n}/{total}",
    "{case}: {params} → output {shape}; {formula}": "{case}：{params} → 输出 {shape}；{formula}",
    "window {shape}: {n} positions (dots: top-left taps)": "窗口 {shape}：{n} 个位置（圆点：窗口左上角）",
    "window {shape} reaching {reach} cells: {n} positions (dots: top-left taps)": (
        "窗口 {shape}，膨胀后跨越 {reach} 个格子：{n} 个位置（圆点：窗口左上角）"
    ),
    "last row": "最后一行",
    "last {n} rows": "最后 {n} 行",
    "last column": "最后一列",
    "last {n} columns": "最后 {n} 列",
    "{a} and {b}": "{a}和{b}",
    "⌊{numerator} / {stride}⌋ rounds down: the {parts} never under the window (✕)": (
        "⌊{numerator} / {stride}⌋ 向下取整：{parts}从未落在窗口下（✕）"
    ),
    "{n} cells between the windows' taps, never visited (✕)": "窗口采样点之间的 {n} 个格子从未被访问（✕）",
    "input {shape}, padded to {padded} (grey: zeros)": "输入 {shape}，填充后 {padded}（灰色：零）",
    "output {shape}: the window fits {rows} times down and {cols} times across": (
        "输出 {shape}：窗口纵向能放 {rows} 次，横向能放 {cols} 次"
    ),
    "Output sizes of the {n} cases: {sizes}": "{n} 种情形的输出尺寸：{sizes}",
    "case": "情形",
    # receptive field
    "Receptive field: stacking small kernels": "感受野：堆叠小卷积核",
    "one output cell: which input cells does it depend on?": "一个输出单元：它依赖哪些输入单元？",
    "Receptive field of stacked small kernels: which input cells does one output cell depend on?": (
        "堆叠小卷积核的感受野：一个输出单元依赖哪些输入单元？"
    ),
    "{n} layer ({layers}): one cell sees {field} input cells": (
        "{n} 层（{layers}）：一个单元看到 {field} 个输入单元"
    ),
    "{n} layers ({layers}): one cell sees {field} input cells": (
        "{n} 层（{layers}）：一个单元看到 {field} 个输入单元"
    ),
    "{n} layer ({layers}): receptive field {field}, {weights} weights, {relus} ReLU": (
        "{n} 层（{layers}）：感受野 {field}，{weights} 个权重，{relus} 个 ReLU"
    ),
    "{n} layers ({layers}): receptive field {field}, {weights} weights, {relus} ReLUs": (
        "{n} 层（{layers}）：感受野 {field}，{weights} 个权重，{relus} 个 ReLU"
    ),
    "One {kernel} kernel sees the same {field}: {single} weights (the stack: {stack}), {relus_single} ReLU (the stack: {relus_stack})": (
        "一个 {kernel} 卷积核的感受野同样是 {field}：{single} 个权重（堆叠：{stack} 个），{relus_single} 个 ReLU（堆叠：{relus_stack} 个）"
    ),
    "weights are per pair of channels: with C = {c} channels in and out, ×C²": (
        "权重按每对通道计算：输入、输出各 C = {c} 个通道时 ×C²"
    ),
    "With C = {c} channels in and out: {stack} weights": "输入、输出各 C = {c} 个通道时：{stack} 个权重",
    "With C = {c} channels in and out: {stack} weights for the stack, {single} for one kernel": (
        "输入、输出各 C = {c} 个通道时：堆叠需要 {stack} 个权重，单个卷积核需要 {single} 个"
    ),
    "Recap: the same {field} receptive field from {n} stacked layers ({stack} weights, {relus} ReLUs) or from one {kernel} kernel ({single} weights, {relus_single} ReLU)": (
        "回顾：同样 {field} 的感受野，可以来自 {n} 个堆叠层（{stack} 个权重，{relus} 个 ReLU），也可以来自一个 {kernel} 卷积核（{single} 个权重，{relus_single} 个 ReLU）"
    ),
    "input": "输入",
    "map {m}": "特征图 {m}",
    "output": "输出",
    "receptive field {field}": "感受野 {field}",
    "weights: {weights}": "权重：{weights}",
    "ReLUs: {relus}": "ReLU 个数：{relus}",
    "one {kernel} kernel": "一个 {kernel} 卷积核",
    "layers": "层数",
    "field": "感受野",
    "stack weights": "堆叠权重",
    "one kernel": "单个卷积核",
    "ReLUs": "ReLU 数",
    "n stacked layers vs one kernel with the same receptive field": "n 个堆叠层 vs 一个感受野相同的卷积核",
    "weights per pair of channels (×C² for C channels in and out)": "权重按每对通道计算（输入、输出各 C 个通道时 ×C²）",
    # multichannel
    "Several channels: sum over input channels, plus a bias": "多通道：对输入通道求和，再加偏置",
    "input x": "输入 x",
    "x: (C_in, H, W) = {shape}": "输入 x：(C_in, H, W) = {shape}",
    "weight: (C_out, C_in, K, K) = {shape}": "权重：(C_out, C_in, K, K) = {shape}",
    "output: (C_out, H_out, W_out) = {shape}": "输出：(C_out, H_out, W_out) = {shape}",
    "{c_in} input channels of {shape}, one row each": "{c_in} 个 {shape} 的输入通道，每行一个",
    "{c_out} filters × {c_in} channels of {shape}: w[o, c] is filter o's kernel for input channel c": (
        "{c_out} 个滤波器 × {c_in} 个通道，每个 {shape}：w[o, c] 是滤波器 o 作用于输入通道 c 的卷积核"
    ),
    "and one bias per filter: {c_out} biases ({biases})": "每个滤波器还有一个偏置：共 {c_out} 个偏置（{biases}）",
    "one {shape} output map per filter": "每个滤波器输出一张 {shape} 特征图",
    "row c: window of x[c] · kernel w[{o}, c], summed": "第 c 行：x[c] 的窗口 · 卷积核 w[{o}, c]，再求和",
    "add the channels' sums, then the filter's bias": "把各通道的和相加，再加上滤波器的偏置",
    "add the channels' sums": "把各通道的和相加",
    "Add the channel sums, then the bias: {equation}": "各通道之和相加，再加偏置：{equation}",
    "Add the channel sums: {equation}": "各通道之和相加：{equation}",
    "filter {o}: the same windows, its own kernels and bias": "滤波器 {o}：同样的窗口，换成它自己的卷积核和偏置",
    "filter {o}: the same windows, its own kernels": "滤波器 {o}：同样的窗口，换成它自己的卷积核",
    "the other positions: the same sums, one output value each": "其余位置：同样求和，每个位置得到一个输出值",
    "out[o] = Σ over channels c of (x[c] ⋆ w[o, c]) + bias[o]": (
        "out[o] = Σ_c (x[c] ⋆ w[o, c]) + bias[o]（对输入通道 c 求和）"
    ),
    "out[o] = Σ over channels c of (x[c] ⋆ w[o, c])": "out[o] = Σ_c (x[c] ⋆ w[o, c])（对输入通道 c 求和）",
    "{c_out} filters → {c_out} output channels": "{c_out} 个滤波器 → {c_out} 个输出通道",
    "{c_out} filters → {c_out} output channels: {shapes}": "{c_out} 个滤波器 → {c_out} 个输出通道：{shapes}",
    "filter {o}": "滤波器 {o}",
    "bias {bias}": "偏置 {bias}",
    "filter {o}, output position ({i}, {j}):": "滤波器 {o}，输出位置 ({i}, {j})：",
    "channel {c}: {equation}": "通道 {c}：{equation}",
    "Filter {o}, output position ({i}, {j}): {sums}": "滤波器 {o}，输出位置 ({i}, {j})：{sums}",
    # pooling
    "Pooling: forward and backward": "池化：前向与反向",
    "Max pooling": "最大池化",
    "Average pooling": "平均池化",
    "{names}: {settings}.": "{names}：{settings}。",
    "window {shape}": "窗口 {shape}",
    "input x: {shape}": "输入 x：{shape}",
    "input x: {shape}, padded to {padded}": "输入 x：{shape}，填充后 {padded}",
    "∂L/∂out {shape}": "∂L/∂out {shape}",
    "∂L/∂x {shape}": "∂L/∂x {shape}",
    "output {shape}: {values}": "输出 {shape}：{values}",
    "Window ({i}, {j}): {equation}": "窗口 ({i}, {j})：{equation}",
    "{text}: {values}": "{text}：{values}",
    "found at x[{r}, {c}]": "位于 x[{r}, {c}]",
    "{name}: each {shape} window gives its largest value (ties: the first in scan order, as in PyTorch; padding counts as −∞).": (
        "{name}：每个 {shape} 窗口取其最大值（并列时取扫描顺序中的第一个，与 PyTorch 相同；填充视为 −∞）。"
    ),
    "{name}: each {shape} window gives the sum of its cells over the divisor.": (
        "{name}：每个 {shape} 窗口取其格子之和除以除数。"
    ),
    "Backward, max: each window's gradient goes to where its maximum was; the window's other cells get 0. ∂L/∂out = all ones (L = the sum of the outputs).": (
        "反向传播（最大池化）：每个窗口的梯度传回其最大值所在的位置，窗口内其他格子得到 0。"
        "∂L/∂out 全为 1（L = 所有输出之和）。"
    ),
    "Backward, average: each window shares its gradient equally, ∂L/∂out / divisor to each of its cells. ∂L/∂out = all ones (L = the sum of the outputs).": (
        "反向传播（平均池化）：每个窗口把梯度平均分给它的格子，每格得到 ∂L/∂out / 除数。"
        "∂L/∂out 全为 1（L = 所有输出之和）。"
    ),
    "∂L/∂out[{i}, {j}] = {g} goes to x[{r}, {c}], the max: ∂L/∂x[{r}, {c}] = {before} + {g} = {after}": (
        "∂L/∂out[{i}, {j}] = {g} 传给最大值 x[{r}, {c}]：∂L/∂x[{r}, {c}] = {before} + {g} = {after}"
    ),
    "∂L/∂out[{i}, {j}] / {d} = {g} / {d} = {share} to each of the window's input cells": (
        "∂L/∂out[{i}, {j}] / {d} = {g} / {d} = {share}，分给窗口内的每个输入格子"
    ),
    "∂L/∂x: each window's gradient lands on its max, added up where windows share a max, 0 elsewhere": (
        "∂L/∂x：每个窗口的梯度落在其最大值上，多个窗口共用同一最大值时相加，其余为 0"
    ),
    "∂L/∂x: every window's share, added up where windows overlap": (
        "∂L/∂x：每个窗口分出的梯度，在窗口重叠处相加"
    ),
    "ceil_mode: the last of {ceil} windows would start in the padding (at or past {size} + {padding}), so it is dropped: {out}": (
        "ceil_mode：{ceil} 个窗口中的最后一个会从填充区开始（起点 ≥ {size} + {padding}），因此被舍去：{out}"
    ),
    "ceil_mode rounds up: the last window hangs past the input; its cells there never count": (
        "ceil_mode 向上取整：最后一个窗口超出输入，超出部分的格子不参与计算"
    ),
    "divisor {d}: the window's cells inside the padded input": "除数 {d}：窗口落在填充后输入内的格子数",
    "divisor {d}: the window's cells inside the input (count_include_pad=False)": (
        "除数 {d}：窗口落在输入内的格子数（count_include_pad=False）"
    ),
    # transposed
    "Transposed convolution": "转置卷积",
    "as PyTorch's ConvTranspose2d · {settings}": "与 PyTorch 的 ConvTranspose2d 相同 · {settings}",
    "stride {stride}, padding {padding}, output_padding {output_padding}, dilation {dilation}": (
        "步幅 {stride}，填充 {padding}，output_padding {output_padding}，膨胀 {dilation}"
    ),
    "Transposed convolution of a {input} input with a {kernel} kernel ({settings}).": (
        "转置卷积：{input} 输入，{kernel} 卷积核（{settings}）。"
    ),
    "full output {full} (before the crop)": "完整输出 {full}（裁剪前）",
    "full output + output_padding: {extended}": "完整输出 + output_padding：{extended}",
    "input {input}": "输入 {input}",
    "kernel {kernel}": "卷积核 {kernel}",
    "output {out}": "输出 {out}",
    "Each input value scales a copy of the kernel; the copies land {stride} cells apart and add up where they overlap.": (
        "每个输入值乘以一份卷积核；这些副本相隔 {stride} 格落下，重叠处相加。"
    ),
    "x[{i}, {j}]{dot}kernel": "x[{i}, {j}]{dot}卷积核",
    "x[{i}, {j}] = {value}: {value} × kernel added with its top-left at full[{r}, {c}]": (
        "x[{i}, {j}] = {value}：{value} × 卷积核，左上角落在 full[{r}, {c}]"
    ),
    "overlaps add up:": "重叠处相加：",
    "output_padding {output_padding} adds zero rows/columns at the bottom/right; padding {padding} crops {padding} from each side: {extended} → {out}": (
        "output_padding {output_padding} 在下方/右侧补零行/列；padding {padding} 从每边裁掉 {padding}：{extended} → {out}"
    ),
    "(stride-{stride} convolutions of {stride} neighbouring sizes give the same {input} output: output_padding picks one)": (
        "（步幅 {stride} 的卷积把 {stride} 个相邻尺寸都映射成同一个 {input} 输出：output_padding 选其中一个）"
    ),
    "The same output as a direct convolution. Stride {stride}: the input cells {stride} apart, zeros between them: {input} → {stretched}.": (
        "同样的输出也可以用普通卷积得到。步幅 {stride}：输入单元相隔 {stride} 格，中间补零：{input} → {stretched}。"
    ),
    "stretched to {stretched}, padded to {padded}": "拉伸为 {stretched}，填充为 {padded}",
    "padding D·(K − 1) − P = {dilation}·({kernel} − 1) − {padding} = {before} at the {start}; {before} + output_padding {output_padding} = {after} at the {end}": (
        "填充 D·(K − 1) − P = {dilation}·({kernel} − 1) − {padding} = {before}（{start}）；{before} + output_padding {output_padding} = {after}（{end}）"
    ),
    "top/left": "上/左",
    "bottom/right": "下/右",
    "top": "上",
    "bottom": "下",
    "left": "左",
    "right": "右",
    "… and the kernel rotated by 180°.": "……以及旋转 180° 的卷积核。",
    "kernel rotated 180°": "卷积核旋转 180°",
    "Slide it at stride 1: {formula}": "以步幅 1 滑动：{formula}",
    "scatter, added, cropped: {out}": "散射、相加、裁剪：{out}",
    "direct convolution: {out}": "普通卷积：{out}",
    "Both give the same {out} output: adding up scaled kernel copies is a convolution of the stretched, padded input with the rotated kernel.": (
        "两种方式得到相同的 {out} 输出：把缩放后的卷积核副本相加，就是拉伸、填充后的输入与旋转后的卷积核做卷积。"
    ),
    # conv_arithmetic
    "No padding, no strides": "无填充，无步幅",
    "Arbitrary padding, no strides": "任意填充，无步幅",
    "Half (same) padding, no strides": "半填充（same），无步幅",
    "Full padding, no strides": "全填充，无步幅",
    "No padding, strides": "无填充，有步幅",
    "Padding, strides": "有填充，有步幅",
    "Padding, strides (odd)": "有填充，有步幅（奇数尺寸）",
    "Dilation": "膨胀卷积",
    "No padding, no strides, transposed": "无填充，无步幅，转置",
    "Arbitrary padding, no strides, transposed": "任意填充，无步幅，转置",
    "Half (same) padding, no strides, transposed": "半填充（same），无步幅，转置",
    "Full padding, no strides, transposed": "全填充，无步幅，转置",
    "No padding, strides, transposed": "无填充，有步幅，转置",
    "Padding, strides, transposed": "有填充，有步幅，转置",
    "Padding, strides (odd), transposed": "有填充，有步幅（奇数尺寸），转置",
    "No padding, no strides, with numbers": "无填充，无步幅（数值）",
    "Padding, strides, with numbers": "有填充，有步幅（数值）",
    "{title} ({settings}). {intro}": "{title}（{settings}）。{intro}",
    "A {kernel} kernel slides over a {input} input: a {output} output.": (
        "{kernel} 卷积核在 {input} 输入上滑动：得到 {output} 输出。"
    ),
    "A transposed convolution of a {input} input gives a {output} output: the direct convolution of the input stretched and padded to {padded}, the kernel rotated 180°.": (
        "对 {input} 输入做转置卷积得到 {output} 输出：等于把输入插零并填充到 {padded} 后，"
        "与旋转 180° 的卷积核做普通卷积。"
    ),
    "The maximum of each {kernel} window of a {input} input: a {output} output.": (
        "{input} 输入中每个 {kernel} 窗口取最大值：得到 {output} 输出。"
    ),
    "The mean of each {kernel} window of a {input} input: a {output} output.": (
        "{input} 输入中每个 {kernel} 窗口取平均值：得到 {output} 输出。"
    ),
    "as a direct convolution: {size} stretched to {stretched} (stride − 1 zeros between inputs), padded {before} + {after} (D·(K − 1) − P) → {padded}": (
        "作为普通卷积：{size} 插零后为 {stretched}（输入之间插入 stride − 1 个零），"
        "再填充 {before} + {after}（D·(K − 1) − P）→ {padded}"
    ),
    "direct: ": "普通卷积：",
    "input {shape}, stretched and padded to {padded}": "输入 {shape}，插零并填充后 {padded}",
    ", rotated 180°": "，旋转 180°",
    ", dilation {dilation}": "，膨胀 {dilation}",
    "max over {shape}": "{shape} 窗口取最大值",
    "mean over {shape}": "{shape} 窗口取平均值",
    "padding (zeros)": "填充（零）",
    "padding (−∞: never the maximum)": "填充（−∞：不会是最大值）",
    "padding (zeros, counted in the divisor)": "填充（零，计入除数）",
    "padding (zeros, not counted in the divisor)": "填充（零，不计入除数）",
    "inserted zeros (stride − 1 between inputs)": "插入的零（输入之间 stride − 1 个）",
    "the window's maximum (the first, if tied)": "窗口的最大值（并列时取第一个）",
    "{n} window positions → the transposed convolution's {shape} output": (
        "{n} 个窗口位置 → 转置卷积的 {shape} 输出"
    ),
    "{n} windows → {n} output values, each the maximum of {m} values": (
        "{n} 个窗口 → {n} 个输出值，每个是 {m} 个值的最大值"
    ),
    "{n} windows → {n} output values, each the mean of {m} values": (
        "{n} 个窗口 → {n} 个输出值，每个是 {m} 个值的平均值"
    ),
    # backward
    "Backpropagation through a convolution": "卷积的反向传播",
    "Backpropagation through a {kernel} convolution of a {input} input.": (
        "对 {input} 输入做 {kernel} 卷积的反向传播。"
    ),
    "Y = X ⋆ W + b as PyTorch's Conv2d · stride {stride}, padding {padding}": (
        "Y = X ⋆ W + b（与 PyTorch 的 Conv2d 相同）· 步幅 {stride}，填充 {padding}"
    ),
    "input X {input}": "输入 X {input}",
    "input X {input} padded to {padded}": "输入 X {input}，填充后 {padded}",
    "kernel W {kernel}": "卷积核 W {kernel}",
    "∂L/∂Y {out} (given)": "∂L/∂Y {out}（已知）",
    "∂L/∂Y {out}": "∂L/∂Y {out}",
    "∂L/∂Y {out}, taps {stride} apart": "∂L/∂Y {out}，抽头相隔 {stride}",
    "∂L/∂W {kernel}": "∂L/∂W {kernel}",
    "∂L/∂X {input}": "∂L/∂X {input}",
    "∂L/∂b: 1 value": "∂L/∂b：1 个值",
    "W rotated 180°": "W 旋转 180°",
    "stretched: zeros between, {stretched}": "拉伸：中间插零，{stretched}",
    "∂L/∂Y stretched, padded by {reach}: {full}": "∂L/∂Y 拉伸并填充 {reach}：{full}",
    "Forward: Y = X ⋆ W + b, a {out} output.": "前向：Y = X ⋆ W + b，输出为 {out}。",
    "Backward: the layers above hand back ∂L/∂Y, one value per output cell.": (
        "反向：上层传回 ∂L/∂Y，每个输出单元一个值。"
    ),
    "Find ∂L/∂W, ∂L/∂X and ∂L/∂b: each value a sum of products.": (
        "求 ∂L/∂W、∂L/∂X 和 ∂L/∂b：每个值都是乘积之和。"
    ),
    "Weight (p, q) met one input value per output cell (i, j): ∂L/∂W is the input correlated with ∂L/∂Y.": (
        "权重 (p, q) 在每个输出单元 (i, j) 处各乘过一个输入值：∂L/∂W 就是输入与 ∂L/∂Y 的互相关。"
    ),
    "Stride {stride}: the windows of neighbouring outputs lie {stride} apart.": (
        "步幅 {stride}：相邻输出的窗口相隔 {stride} 格。"
    ),
    "Put the gradients back {stride} apart, zeros between: {out} → {stretched}.": (
        "把梯度放回相隔 {stride} 的位置，中间补零：{out} → {stretched}。"
    ),
    "Stride 1: no zeros to insert between the gradients.": "步幅 1：梯度之间无需插零。",
    "… and the kernel rotated by 180°: its last tap first.": "……以及旋转 180° 的卷积核：最后一个抽头排在最前。",
    "∂L/∂X: the rotated kernel slides at stride 1 over ∂L/∂Y, stretched and padded by k − 1 = {reach} on every side (a full correlation).": (
        "∂L/∂X：旋转后的卷积核以步幅 1 滑过拉伸后、四周各填充 k − 1 = {reach} 的 ∂L/∂Y（完全互相关）。"
    ),
    "Sums for the forward padding {padding} are cut off.": "落在前向填充 {padding} 上的和被裁掉。",
    "No window reached the last rows or columns: their gradient is 0.": (
        "没有窗口到达最后的行或列：它们的梯度为 0。"
    ),
    "b is added to every output value: each passes its gradient on unchanged.": (
        "b 加到每个输出值上：每个输出值把梯度原样传给 b。"
    ),
    "b is added to every output value: ∂L/∂b = {sum}": "b 加到每个输出值上：∂L/∂b = {sum}",
    "Each gradient is again a correlation: X with ∂L/∂Y, and the stretched ∂L/∂Y with W rotated 180°; ∂L/∂b is a sum.": (
        "每个梯度又是一次互相关：X 与 ∂L/∂Y，拉伸后的 ∂L/∂Y 与旋转 180° 的 W；∂L/∂b 是一个求和。"
    ),
    "The same values as PyTorch's autograd.": "与 PyTorch 自动求导的结果完全相同。",
    # checkerboard
    "Checkerboard artifacts of transposed convolutions": "转置卷积的棋盘格伪影",
    "stride {stride} · input {input} of ones · kernels of ones: each output value counts the kernel taps that land on it": (
        "步幅 {stride} · 全 1 的 {input} 输入 · 全 1 的卷积核：每个输出值就是落在该单元上的卷积核抽头数"
    ),
    "Each input cell adds a copy of the kernel to the output, {stride} cells apart; where copies overlap, the taps add up.": (
        "每个输入单元向输出加上一份卷积核，相隔 {stride} 格；副本重叠处，抽头数相加。"
    ),
    "output {shape} (kernel {k})": "输出 {shape}（卷积核 {k}）",
    "Shaded by count: the more taps, the stronger the colour.": "按计数着色：抽头越多，颜色越深。",
    "a multiple of stride {s}": "是步幅 {s} 的倍数",
    "not a multiple of stride {s}": "不是步幅 {s} 的倍数",
    "kernel {k}, {multiple}: {levels} taps on every cell in the box, even": (
        "卷积核 {k}，{multiple}：框内每个单元都是 {levels} 个抽头，均匀"
    ),
    "kernel {k}, {multiple}: {levels} taps per cell in the box, a checkerboard": (
        "卷积核 {k}，{multiple}：框内单元的抽头数为 {levels}，形成棋盘格"
    ),
    "Uneven overlap makes the checkerboard artifacts of transposed convolutions ({citation}); a kernel size divisible by the stride avoids it.": (
        "重叠不均造成了转置卷积的棋盘格伪影（{citation}）；卷积核尺寸能被步幅整除就能避免。"
    ),
    # flip
    "Cross-correlation or convolution: the flipped kernel": "互相关还是卷积：翻转的卷积核",
    "mode {mode} · input {input} · kernel {kernel}": "模式 {mode} · 输入 {input} · 卷积核 {kernel}",
    "{title}: {sizes}.": "{title}：{sizes}。",
    "kernel k {shape}": "卷积核 k {shape}",
    "k rotated 180° {shape}": "k 旋转 180° {shape}",
    "Convolution first rotates the kernel by 180°: rows and columns reversed, k_rot[i, j] = k[kH − 1 − i, kW − 1 − j].": (
        "卷积先把卷积核旋转 180°：行与列都倒过来，k_rot[i, j] = k[kH − 1 − i, kW − 1 − j]。"
    ),
    "This kernel is symmetric: it equals its rotation.": "这个卷积核是对称的：旋转后不变。",
    "This kernel is not symmetric: its rotation is a different kernel.": "这个卷积核不对称：旋转后是另一个卷积核。",
    "cross-correlation · PyTorch Conv2d": "互相关 · PyTorch Conv2d",
    "convolution · scipy convolve2d": "卷积 · scipy convolve2d",
    "x ⋆ k {shape}": "x ⋆ k {shape}",
    "x ∗ k {shape}": "x ∗ k {shape}",
    "input x {shape}, padded to {padded}": "输入 x {shape}，填充后 {padded}",
    "Same input, same windows. Cross-correlation x ⋆ k: {corr}. Convolution x ∗ k: {conv}.": (
        "同一输入，同样的窗口。互相关 x ⋆ k：{corr}。卷积 x ∗ k：{conv}。"
    ),
    "Position ({i}, {j}), the same window: {corr}; with the rotated kernel: {conv}.": (
        "位置 ({i}, {j})，同一个窗口：{corr}；乘以旋转后的卷积核：{conv}。"
    ),
    "The kernel is not symmetric, so the outputs differ at {n} of {total} positions: the same windows meet the weights in another order.": (
        "卷积核不对称，所以两个输出在 {total} 个位置中有 {n} 个不同：同样的窗口以另一种顺序遇到权重。"
    ),
    "The kernel equals its rotation, so the outputs are equal at all {total} positions: for this kernel convolution and cross-correlation are the same.": (
        "卷积核与其旋转相同，所以两个输出在全部 {total} 个位置上相等：对这个卷积核，卷积与互相关相同。"
    ),
    "The kernel is not symmetric, yet for this input the outputs are equal at all {total} positions.": (
        "卷积核不对称，但对这个输入，两个输出在全部 {total} 个位置上相等。"
    ),
    "The kernel equals its rotation, yet the outputs differ at {n} of {total} positions (the two are centred differently).": (
        "卷积核与其旋转相同，但两个输出在 {total} 个位置中有 {n} 个不同（两者的中心对齐方式不同）。"
    ),
    "For CNNs the flip does not matter: the kernel is learned. A network trained with cross-correlation simply learns the rotated weights a convolution would have: x ⋆ k = x ∗ (k rotated 180°), the same function.": (
        "对 CNN 来说翻转无关紧要：卷积核是学出来的。用互相关训练的网络只是学到了卷积会用的旋转后的权重：x ⋆ k = x ∗ (k 旋转 180°)，是同一个函数。"
    ),
    "For signal processing it does: only convolution is commutative (x ∗ k = k ∗ x) and associative ((x ∗ a) ∗ b = x ∗ (a ∗ b)), so two filters in a row are one filter, a ∗ b.": (
        "对信号处理来说则很重要：只有卷积满足交换律 x ∗ k = k ∗ x 与结合律 (x ∗ a) ∗ b = x ∗ (a ∗ b)，所以连续两个滤波器就是一个滤波器 a ∗ b。"
    ),
    # feature maps
    "Feature maps of a photograph": "照片的特征图",
    "kernel {name} · image {shape}, grey levels 0–255 · no padding, stride 1": "卷积核 {name} · 图像 {shape}，灰度 0–255 · 无填充，步幅 1",
    "image {shape}": "图像 {shape}",
    "The photograph in grey, {shape} pixels: 0 is black, 255 is white.": "灰度照片，{shape} 像素：0 为黑，255 为白。",
    "patch {shape} at ({row}, {col})": "图块 {shape}，位于 ({row}, {col})",
    "kernel {name} {shape}": "卷积核 {name} {shape}",
    "feature map {shape}": "特征图 {shape}",
    "at ({row}, {col})": "位于 ({row}, {col})",
    "around the strongest response": "围绕最强响应",
    "you chose": "由你指定",
    "A {patch} patch ({where}) and the {name} kernel.": "一个 {patch} 图块（{where}）与卷积核 {name}。",
    "feature map {shape} ({name})": "特征图 {shape}（{name}）",
    "min {low}, max {high}": "最小 {low}，最大 {high}",
    "The whole feature map, {shape}: from {low} to {high}; the colours run from {bottom} through 0 to {top}.": "完整的特征图 {shape}：从 {low} 到 {high}；颜色从 {bottom} 经 0 到 {top}。",
    "ReLU(feature map)": "ReLU(特征图)",
    "{n} negative values → 0 ({share})": "{n} 个负值 → 0（{share}）",
    "ReLU keeps the positive responses: {note}.": "ReLU 只保留正的响应：{note}。",
    "image": "图像",
    "grey levels 0 … 255": "灰度 0 … 255",
    "colours {low} … {high}": "颜色 {low} … {high}",
    "One image, {n} kernels: {names}. Each map has its own colour scale.": "同一张图像，{n} 个卷积核：{names}。每张特征图有各自的色标。",
    "Each kernel responds to its own pattern: a feature map shows where it is.": "每个卷积核响应各自的图案：特征图显示它出现在哪里。",
    "custom": "自定义",
    # groups
    "{a}: {b}": "{a}：{b}",
    "Groups, depthwise and separable convolution": "分组卷积、深度卷积与可分离卷积",
    "x: {c_in} channels of {shape}, {kernel} kernels · numpy default_rng({seed})": (
        "x：{c_in} 个 {shape} 通道，{kernel} 卷积核 · numpy default_rng({seed})"
    ),
    "{c_in} input channels of {shape}, one row each; {c_in} filters, each with a kernel in the row of every channel it sees": (
        "{c_in} 个 {shape} 输入通道，每行一个；{c_in} 个滤波器，它看到的每个通道所在的行里放一个卷积核"
    ),
    "groups = 1: every filter sees all {c_in} input channels": "groups = 1：每个滤波器看到全部 {c_in} 个输入通道",
    "groups = {g}: {g} groups of {cg} channels; a filter sees only its group's": (
        "groups = {g}：{g} 组，每组 {cg} 个通道；滤波器只看到本组的通道"
    ),
    "groups = {g} = C_in (depthwise): each filter sees one channel": (
        "groups = {g} = C_in（深度卷积）：每个滤波器只看到一个通道"
    ),
    "weight (C_out, C_in/groups, kH, kW) = {sizes}": "权重 (C_out, C_in/groups, kH, kW) = {sizes}",
    "{count} weights": "{count} 个权重",
    "output ({i}, {j}): window · kernel, summed per channel": "输出 ({i}, {j})：窗口 · 卷积核，按通道求和",
    "group {g}: {names}": "第 {g} 组：{names}",
    "A separable block: depthwise {kernel} (groups = {c_in}), then pointwise 1×1 ({c_in} → {c_out} channels)": (
        "可分离卷积块：先做深度 {kernel} 卷积（groups = {c_in}），再做逐点 1×1 卷积（{c_in} → {c_out} 个通道）"
    ),
    "depthwise output\n(C_in, pixels) = ({c_in}, {n})": "深度卷积输出\n(C_in, 像素) = ({c_in}, {n})",
    "pointwise weight\n(C_out, C_in) = ({c_out}, {c_in})": "逐点卷积权重\n(C_out, C_in) = ({c_out}, {c_in})",
    "output (C_out, pixels) = ({c_out}, {n})": "输出 (C_out, 像素) = ({c_out}, {n})",
    "1×1 convolution = a matrix product per pixel:": "1×1 卷积 = 每个像素做一次矩阵乘法：",
    "pixel ({i}, {j}): weight × its {c_in} channel values": "像素 ({i}, {j})：权重 × 它的 {c_in} 个通道值",
    "every pixel the same way: output {shape}": "每个像素都一样：输出 {shape}",
    "standard {k} convolution": "标准 {k} 卷积",
    "depthwise {k} (groups = {c_in})": "深度 {k} 卷积（groups = {c_in}）",
    "pointwise 1×1": "逐点 1×1 卷积",
    "separable block": "可分离卷积块",
    "parameters": "参数量",
    "multiply-adds ({h}·{w}·weights)": "乘加次数（{h}·{w}·权重数）",
    "Same input, same output ({c_out}, {shape}): count the weights (no bias)": (
        "相同输入，相同输出 ({c_out}, {shape})：数一数权重（不含偏置）"
    ),
    "Parameters: {lines}": "参数量：{lines}",
    "multiply-adds: every weight is used once per output pixel ({h}·{w})": (
        "乘加次数：每个权重在每个输出像素上用一次（{h}·{w}）"
    ),
    "separable / standard = {values}": "可分离 / 标准 = {values}",
    "{times}× fewer parameters and multiply-adds": "参数量和乘加次数都约为标准卷积的 1/{times}",
    "the ratio is 1/C_out + 1/k², whatever the input size": "无论输入多大，比值都是 1/C_out + 1/k²",
    # learn-kernel
    "Learning a kernel": "学习一个卷积核",
    "d2l.ai · Conv2d(1, 1, {size}, bias=False) · MSE loss · SGD lr {lr} · {steps} steps · "
    "seed {seed}": (
        "d2l.ai · Conv2d(1, 1, {size}, bias=False) · MSE 损失 · SGD lr {lr} · {steps} 步 · "
        "种子 {seed}"
    ),
    "input X {shape}": "输入 X {shape}",
    "X as an image": "X 作为图像",
    "kernel K {shape}": "卷积核 K {shape}",
    "target Y {shape}": "目标 Y {shape}",
    "Y as an image": "Y 作为图像",
    "d2l's image X: white, a dark band, white. Y = X ⋆ K with K = {k}: 1 where white turns "
    "dark, −1 where dark turns white.": (
        "d2l 的图像 X：白、一条暗带、白。Y = X ⋆ K，K = {k}：由白变暗处为 1，由暗变白处为 −1。"
    ),
    "PyTorch's default init:": "PyTorch 的默认初始化：",
    "The kernel w starts random, {init}. Can SGD find K from X and Y alone?": (
        "卷积核 w 随机开始，{init}。SGD 能只凭 X 和 Y 找到 K 吗？"
    ),
    "ŷ − y, step {step} {shape}": "ŷ − y，第 {step} 步 {shape}",
    "Step {step}: ŷ = X ⋆ w; the loss is the mean of (ŷ − y)² over the {n} outputs: "
    "{loss}.": "第 {step} 步：ŷ = X ⋆ w；损失是 {n} 个输出上 (ŷ − y)² 的平均：{loss}。",
    "The gradient of w[{i}, {j}] is a sum of products: each ŷ − y times the pixel of X it "
    "multiplies (the boxed window), times 2/{n}: {g}.": (
        "w[{i}, {j}] 的梯度是乘积之和：每个 ŷ − y 乘以它所乘的 X 像素（框出的窗口），"
        "再乘 2/{n}：{g}。"
    ),
    "step(): w ← w − lr·g, w[{i}, {j}] = {before} − {lr}·{g} = {after}.": (
        "step()：w ← w − lr·g，w[{i}, {j}] = {before} − {lr}·{g} = {after}。"
    ),
    "X ⋆ w {shape}": "X ⋆ w {shape}",
    "The same step {n} more times: the loss falls from {first} to {last}.": (
        "同样的步骤再做 {n} 次：损失从 {first} 降到 {last}。"
    ),
    "step": "步数",
    "step {e}/{steps}": "第 {e}/{steps} 步",
    "loss {loss}": "损失 {loss}",
    "After {steps} steps: w = {w}, close to K = {k}.": "{steps} 步之后：w = {w}，接近 K = {k}。",
    "learned w:": "学到的 w：",
    "≈ K = {k}": "≈ K = {k}",
    "After {steps} steps the loss is {loss}, but w is not K: every row of X is the same, so "
    "only each column's sum is learned: {sums} (K's: {true}).": (
        "{steps} 步之后损失为 {loss}，但 w 不是 K：X 的每一行都相同，所以只学到了每一列的和："
        "{sums}（K 的：{true}）。"
    ),
    "w ≠ K, but its column sums": "w ≠ K，但它的列和",
    "= K's: {true}": "= K 的列和：{true}",
    "photo {shape}": "照片 {shape}",
    "photo ⋆ {name} {shape}": "照片 ⋆ {name} {shape}",
    "kernel {name}": "卷积核 {name}",
    "the two maps differ by at most {gap}": "两张特征图最多相差 {gap}",
    "Applied to a photograph, the learned kernel finds the same vertical edges as K: the two "
    "maps differ by at most {gap}.": (
        "用在照片上，学到的卷积核找到了与 K 相同的竖直边缘：两张特征图最多相差 {gap}。"
    ),
}


def tr(template: str, lang: str, **values) -> str:
    """``template`` in ``lang`` with ``values`` filled in (English when untranslated)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    text = ZH.get(template, template) if lang == "zh" else template
    return text.format(**values) if values else text
