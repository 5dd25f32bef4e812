"""convcore: the arithmetic of 2-D convolution in pure NumPy, with traces for videos.

Mirrors ``torch.nn.functional`` (NCHW input, ``(C_out, C_in/groups, kH, kW)`` weights) so
PyTorch can serve as the oracle in tests. Depends on NumPy and the standard library only.

Modules: :mod:`convcore.functional` (conv2d, unfold, fold, output sizes),
:mod:`convcore.trace` (per-position traces), :mod:`convcore.backward` (gradients),
:mod:`convcore.init` (``torch.nn.init`` schemes), :mod:`convcore.train` (training traces),
:mod:`convcore.matrix` (convolution as one matrix product, im2col traces),
:mod:`convcore.receptive` (receptive fields).
"""

from convcore import init
from convcore.backward import GradientTrace, conv2d_backward, trace_conv2d_backward
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
from convcore.matrix import (
    ConvMatrixTrace,
    Im2colTrace,
    conv_matrix,
    conv_matrix_trace,
    im2col_trace,
)
from convcore.receptive import (
    InputRegion,
    Layer,
    ReceptiveField,
    ReceptiveTrace,
    StackComparison,
    as_layers,
    feature_sizes,
    input_region,
    receptive_field,
    receptive_trace,
    stack_comparison,
)
from convcore.trace import ConvTrace, trace_conv2d
from convcore.train import (
    SGD,
    ConvLayer,
    TrainingState,
    TrainingTrace,
    article_example,
    format_training_printout,
    random_state,
    trace_training,
)

__all__ = [
    "ARTICLE_INPUT",
    "ARTICLE_KERNEL",
    "ARTICLE_OUTPUT",
    "SGD",
    "ConvLayer",
    "ConvMatrixTrace",
    "ConvTrace",
    "GradientTrace",
    "Im2colTrace",
    "InputRegion",
    "Layer",
    "OutputSizeTerms",
    "ReceptiveField",
    "ReceptiveTrace",
    "StackComparison",
    "TrainingState",
    "TrainingTrace",
    "article_example",
    "as_layers",
    "conv2d",
    "conv2d_backward",
    "conv2d_direct",
    "conv_matrix",
    "conv_matrix_trace",
    "feature_sizes",
    "fold",
    "format_training_printout",
    "im2col_trace",
    "init",
    "input_region",
    "output_size",
    "output_size_terms",
    "random_state",
    "receptive_field",
    "receptive_trace",
    "stack_comparison",
    "trace_conv2d",
    "trace_conv2d_backward",
    "trace_training",
    "unfold",
]
