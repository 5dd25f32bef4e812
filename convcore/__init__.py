"""convcore: the arithmetic of 2-D convolution in pure NumPy, with traces for videos.

Mirrors ``torch.nn.functional`` (NCHW input, ``(C_out, C_in/groups, kH, kW)`` weights) so
PyTorch can serve as the oracle in tests. Depends on NumPy and the standard library only.
"""

from convcore.examples import ARTICLE_INPUT, ARTICLE_KERNEL, ARTICLE_OUTPUT
from convcore.functional import (
    OutputSizeTerms,
    conv2d,
    conv2d_direct,
    fold,
    output_size,
    output_size_terms,
    unfold,
)
from convcore.trace import ConvTrace, trace_conv2d

__all__ = [
    "ARTICLE_INPUT",
    "ARTICLE_KERNEL",
    "ARTICLE_OUTPUT",
    "ConvTrace",
    "OutputSizeTerms",
    "conv2d",
    "conv2d_direct",
    "fold",
    "output_size",
    "output_size_terms",
    "trace_conv2d",
    "unfold",
]
