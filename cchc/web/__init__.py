"""The web application (``cchc serve``): rank, explain, try rules, simulate, upload data.

A server-rendered application (FastAPI + Jinja2 templates, htmx for partial updates) over
the same engine as the command line: the same results, the same messages. It is the top
of the layers (``scoring`` → ``reports`` → ``cchc``); nothing imports it.

>>> from cchc.web.app import create_app          # doctest: +SKIP
>>> from cchc.web.config import WebConfig         # doctest: +SKIP
>>> app = create_app(WebConfig.make(workspace="cchc-workspace"))   # doctest: +SKIP
"""
