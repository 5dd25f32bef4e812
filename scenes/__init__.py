"""convanim scenes: Manim scenes that draw convcore traces, and the ``convanim`` CLI.

Importing this package does not import Manim; each scene module does.
"""
