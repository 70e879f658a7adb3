"""Rule sets: the model (:mod:`.model`, below the engine) and the YAML loader
(:mod:`.loader`, above it: loading a file runs the file's own tests with the engine).

Import what you need from the module that defines it (``from scoring.rules.loader import
load_rules``); this package re-exports nothing, so that the engine, which reads the
model, does not load the loader.
"""
