"""Shape properties shared by the traces that carry output-size terms and a 4-D weight."""

from __future__ import annotations


class SizedTrace:
    """Mixin for trace dataclasses with ``size_h``/``size_w`` terms and a ``weight``."""

    @property
    def out_shape(self) -> tuple[int, int]:
        """``(out_h, out_w)``."""
        return self.size_h.out, self.size_w.out

    @property
    def kernel_size(self) -> tuple[int, int]:
        """``(kH, kW)``."""
        return self.weight.shape[2], self.weight.shape[3]
