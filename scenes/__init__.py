"""convanim's scenes: Manim scenes that draw convcore traces (one module per idea), their
drawing kit (:mod:`scenes.kit`) and their declarations (:mod:`scenes.specs`).

Importing this package does not import Manim; each scene module does.
"""
