"""The application layer: the ``cchc`` command line (and the web application).

It sits on top of the flow ``scoring`` (data → points → ranks) → ``reports`` (workbooks and
documents); nothing in ``scoring`` or ``reports`` imports it.
"""
