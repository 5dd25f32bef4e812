"""The drawing kit every scene shares, one home for each piece.

=============  ===========================================================================
``theme``      colours of the dark and light themes, the fonts
``fmt``        numbers and equations as text (compact when long), the size formula
``i18n``       labels and captions in English or Chinese
``text``       labels, titles, captions, wrapped equations, the text cache
``grid``       the one labelled number grid
``anim``       the copy-free fade, flights of numbers, per-frame steps
``code``       convcore's own source in a panel, with a line marker
``scene``      :class:`ConvScene`, the base of every scene: theme, language, cues, trace
``params``     parameter declarations (manim-free), matrix parsing
=============  ===========================================================================

Import the modules themselves (``from scenes.kit.grid import Grid``): this package imports
nothing, so the manim-free ``params``, ``fmt`` and ``i18n`` load without Manim.
"""
