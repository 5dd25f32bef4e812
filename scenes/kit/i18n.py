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
}


def tr(template: str, lang: str, **values) -> str:
    """``template`` in ``lang`` with ``values`` filled in (English when untranslated)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    text = ZH.get(template, template) if lang == "zh" else template
    return text.format(**values) if values else text
