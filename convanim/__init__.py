"""convanim: the command line and the build pipeline.

=============  ==========================================================================
``registry``   every video in lecture order, from the scenes' declarations
``options``    command-line options and lecture-file keys generated from the declarations
``jobs``       a job (one video to build), its record and content hash, the cache
``render``     one render in-process with Manim: the video, a poster, captions
``build``      many jobs: parallel, incremental, atomic, locked
``lecture``    lecture files (TOML)
``gallery``    ``index.html`` beside the videos
``captions``   WebVTT from a scene's cues
``cli``        the ``convanim`` command
=============  ==========================================================================

Imports go one way: ``convanim → scenes → convcore``. Manim is imported only to render.
"""
