"""The drawing kit every scene shares, one home for each piece.

=============  ===========================================================================
``theme``      colours of the dark and light themes, the fonts
``fmt``        numbers and equations as text (compact when long), the size formula
``i18n``       labels and captions in English or Chinese
``text``       labels, titles, captions, wrapped equations, the text cache
``grid``       the one labelled number grid
``anim``       copy-free animations: the fade, typing, rigid glides, flights, steps
``code``       convcore's own source in a panel, with a line marker
``scene``      :class:`ConvScene`, the base of every scene: theme, language, cues, trace
``note``       the note under a scene's grids: sentences that replace each other, cued
``drawing``    the camera, renderer and file writer of ``ConvScene.fast_drawing``
``params``     parameter declarations (manim-free), matrix parsing
``image``      photographs read in grey, colours of maps (manim-free: Pillow, NumPy)
``picture``    arrays as pictures: titled images, colour bars, :class:`PictureCamera`
``plot``       a value per step (a loss), plotted segment by segment
=============  ===========================================================================

Import the modules themselves (``from scenes.kit.grid import Grid``): this package imports
nothing, so the manim-free ``params``, ``image``, ``fmt`` and ``i18n`` load without Manim.
"""
