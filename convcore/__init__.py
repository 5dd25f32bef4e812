"""convcore: the arithmetic of 2-D convolution in pure NumPy, with traces for videos.

Mirrors ``torch.nn.functional`` (NCHW input, ``(C_out, C_in/groups, kH, kW)`` weights) so
PyTorch can serve as the oracle in tests. Depends on NumPy and the standard library only.

Modules: :mod:`convcore.functional` (conv2d, unfold, fold, output sizes),
:mod:`convcore.trace` (per-position traces), :mod:`convcore.backward` (gradients),
:mod:`convcore.init` (``torch.nn.init`` schemes), :mod:`convcore.train` (training traces),
:mod:`convcore.matrix` (convolution as one matrix product, im2col traces),
:mod:`convcore.receptive` (receptive fields), :mod:`convcore.transpose` (transposed
convolution and its traces), :mod:`convcore.pool` (max and average pooling, their
gradients and traces), :mod:`convcore.sizes` (output sizes of transposed convolution and
pooling).
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
from convcore.pool import (
    PoolGradientTrace,
    PoolTrace,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    trace_pool2d,
    trace_pool2d_backward,
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
from convcore.sizes import (
    PoolOutputSizeTerms,
    TransposedOutputSizeTerms,
    pool_output_size,
    pool_output_size_terms,
    transposed_output_size,
    transposed_output_size_terms,
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
from convcore.transpose import (
    OverlapPattern,
    TransposeTrace,
    conv_transpose2d,
    conv_transpose2d_backward,
    conv_transpose2d_direct,
    overlap_pattern,
    trace_conv_transpose2d,
    transposed_overlap_counts,
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
    "OverlapPattern",
    "PoolGradientTrace",
    "PoolOutputSizeTerms",
    "PoolTrace",
    "ReceptiveField",
    "ReceptiveTrace",
    "StackComparison",
    "TrainingState",
    "TrainingTrace",
    "TransposeTrace",
    "TransposedOutputSizeTerms",
    "article_example",
    "as_layers",
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "conv2d_direct",
    "conv_matrix",
    "conv_matrix_trace",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "conv_transpose2d_direct",
    "feature_sizes",
    "fold",
    "format_training_printout",
    "im2col_trace",
    "init",
    "input_region",
    "max_pool2d",
    "max_pool2d_backward",
    "output_size",
    "output_size_terms",
    "overlap_pattern",
    "pool_output_size",
    "pool_output_size_terms",
    "random_state",
    "receptive_field",
    "receptive_trace",
    "stack_comparison",
    "trace_conv2d",
    "trace_conv2d_backward",
    "trace_conv_transpose2d",
    "trace_pool2d",
    "trace_pool2d_backward",
    "trace_training",
    "transposed_output_size",
    "transposed_output_size_terms",
    "transposed_overlap_counts",
    "unfold",
]
