"""The source article's worked example (its part 10), as plain arrays."""

from __future__ import annotations

import numpy as np

#: 5×5 input holding 1..25, row-major.
ARTICLE_INPUT = np.arange(1, 26, dtype=np.float64).reshape(5, 5)
#: 3×3 kernel holding 1..9, row-major.
ARTICLE_KERNEL = np.arange(1, 10, dtype=np.float64).reshape(3, 3)
#: The output the article prints (stride 1, padding 0, no bias). Typed in from the article,
#: not computed, so that tests compare convcore against the article.
ARTICLE_OUTPUT = np.array([[411, 456, 501], [636, 681, 726], [861, 906, 951]], dtype=np.float64)
