"""What each video takes and computes: one declaration per video, without Manim.

Each module declares ``SPEC`` (a :class:`scenes.kit.params.SceneSpec`, or several for
variants): the parameters with their defaults, help and checks, and the function that turns
their values into the trace its scene draws, including the limits of what can be drawn
legibly. The command line lists and checks these without importing Manim; the scene module
(``scenes/<name>.py``) imports its declaration and only draws.
"""
